#!/usr/bin/env bash
# Makes a certificate authority and one certificate per node for Rooms' TLS (docs/security.md).
# Usage: tools/make-certs.sh [--days N] [--expired] DIR NODE...   (tools/make-certs.sh --help)
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/make-certs.sh [--days N] [--expired] DIR NODE...

Makes, with the openssl command (EC P-256 keys, SHA-256 signatures):
  DIR/ca.pem, DIR/ca.key          the certificate authority; reused when both exist
  DIR/NODE.pem, DIR/NODE.key      one certificate per NODE, signed by the CA, for TLS servers
                                  and clients alike (extendedKeyUsage serverAuth, clientAuth);
                                  subjectAltName DNS:NAME, DNS:localhost, IP:127.0.0.1, IP:::1
  DIR/client.pem, DIR/client.key  a client certificate for rooms-cli and backends (mutual TLS)

NODE is NAME or NAME=ADDR[,ADDR...]: each ADDR (an IP address or a host name) is added to the
certificate's subjectAltName. Node and client certificates are issued anew on every run (from
the same CA); keys are mode 600.

Options:
  --days N    validity of the node and client certificates in days (default 825; a new CA
              gets 3650 days, or N if longer)
  --expired   make only the named certificates, already expired (valid from 2 days ago to
              1 day ago), signed by the CA already in DIR: for tests
  --help      this text

Example: tools/make-certs.sh certs node1=10.0.0.11 node2=10.0.0.12 node3=10.0.0.13
EOF
}

fail() {
  echo "make-certs.sh: $1" >&2
  exit "${2:-1}"
}

days=825
expired=0
while [ $# -gt 0 ]; do
  case $1 in
    --days | --days=*)
      if [ "$1" = --days ]; then
        days=${2:-}
        shift
      else
        days=${1#--days=}
      fi
      [[ $days =~ ^[1-9][0-9]{0,5}$ ]] || fail "--days needs a positive number of days" 2
      shift ;;
    --expired) expired=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) fail "unknown option $1 (see --help)" 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { usage >&2; exit 2; }
dir=$1
shift
command -v openssl >/dev/null || fail "the openssl command is missing (apt-get install openssl)"

# NODE arguments into names and subjectAltNames, all checked before anything is made.
names=()
sans=()
for node in "$@"; do
  name=${node%%=*}
  [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && $name != ca ]] || fail "bad node name '$name'" 2
  entries="DNS:$name, DNS:localhost, IP:127.0.0.1, IP:::1"
  if [[ $node == *=* ]]; then
    IFS=, read -ra addrs <<<"${node#*=}"
    for addr in "${addrs[@]}"; do
      if [[ $addr =~ ^[0-9]+(\.[0-9]+){3}$ || $addr =~ ^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$ ]]; then
        entries+=", IP:$addr"
      elif [[ $addr =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
        entries+=", DNS:$addr"
      else
        fail "bad address '$addr' for $name" 2
      fi
    done
  fi
  names+=("$name")
  sans+=("$entries")
done
if [ $expired = 0 ] && [[ " ${names[*]} " != *" client "* ]]; then
  names+=(client)
  sans+=("DNS:client")
fi

[ $expired = 0 ] || [ -f "$dir/ca.pem" ] ||
  fail "--expired needs the CA in $dir; run once without --expired first"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir"
printf '[req]\ndistinguished_name = dn\n[dn]\n' >"$work/req.cnf" # requests: just a subject

# Certificates start an hour in the past, so that hosts whose clocks lag a little accept them.
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
start=$(stamp '1 hour ago')

# Runs a command quietly; on failure shows what it said and stops.
quiet() {
  "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; fail "failed: $*"; }
}

# A new key and a certificate request for subject CN=$2: $work/$1.key, $work/$1.csr.
request() {
  (umask 077 &&
    quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key")
  quiet openssl req -new -config "$work/req.cnf" -key "$work/$1.key" -subj "/CN=$2" \
    -out "$work/$1.csr"
}

# Signs $work/$1.csr into $work/$1.pem with the extensions section $2 and subjectAltName $3,
# using `openssl ca` (in OpenSSL 3.0 the one command that takes explicit start and end dates).
# The remaining arguments name the signing CA and the dates.
sign() {
  local file=$1 extensions=$2 san=$3
  shift 3
  : >"$work/index.txt"
  cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = rooms
[rooms]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[any_name]
commonName = supplied
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = ${san:-DNS:ca}
EOF
  quiet openssl ca -batch -notext -rand_serial -config "$work/ca.cnf" -extensions "$extensions" \
    -in "$work/$file.csr" -out "$work/$file.pem" "$@"
}

# Puts $work/$1.pem and $work/$1.key in place in $dir, the key mode 600.
install_pair() {
  install -m 644 "$work/$1.pem" "$dir/$1.pem"
  install -m 600 "$work/$1.key" "$dir/$1.key"
}

# The CA: reused when both files exist (and belong together), made when neither does.
if [ -f "$dir/ca.pem" ] && [ -f "$dir/ca.key" ]; then
  ca_public=$(openssl x509 -in "$dir/ca.pem" -noout -pubkey)
  [ "$ca_public" = "$(openssl pkey -in "$dir/ca.key" -pubout)" ] ||
    fail "$dir/ca.key is not the key of $dir/ca.pem"
  echo "reusing CA $dir/ca.pem"
elif [ -e "$dir/ca.pem" ] || [ -e "$dir/ca.key" ]; then
  fail "$dir has only one of ca.pem and ca.key; remove it or restore the other"
else
  ca_days=$((days > 3650 ? days : 3650))
  request ca "Rooms CA $(date -u +%Y-%m-%dT%H:%M:%SZ) $RANDOM"
  sign ca ca_ext "" -selfsign -keyfile "$work/ca.key" -startdate "$start" \
    -enddate "$(stamp "$ca_days days")"
  install_pair ca
  echo "made CA $dir/ca.pem (key $dir/ca.key), valid $ca_days days"
fi

# The node certificates and the client's.
if [ $expired = 1 ]; then
  dates=(-startdate "$(stamp '2 days ago')" -enddate "$(stamp '1 day ago')")
  validity="already expired"
else
  dates=(-startdate "$start" -enddate "$(stamp "$days days")")
  validity="valid $days days"
fi
for i in "${!names[@]}"; do
  name=${names[$i]}
  request "$name" "$name"
  sign "$name" leaf_ext "${sans[$i]}" -cert "$dir/ca.pem" -keyfile "$dir/ca.key" "${dates[@]}"
  install_pair "$name"
  echo "made $dir/$name.pem (key $dir/$name.key), $validity, subjectAltName ${sans[$i]}"
done
