#!/usr/bin/env bash
# Stops the nodes local3-tls/start.sh started (local3/stop.sh for them); the data and the
# certificates stay in cluster-data/local3-tls/.
exec "$(dirname "$0")/../local3/stop.sh" local3-tls
