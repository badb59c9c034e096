#!/usr/bin/env bash
# Starts the local three-node cluster with TLS on both ports (cluster-config/local3-tls/README.md):
# local3/start.sh for these configurations, which makes the certificates when they are missing
# (cluster-data/local3-tls/certs) and waits until every node answers over TLS and sees its peers.
exec "$(dirname "$0")/../local3/start.sh" local3-tls
