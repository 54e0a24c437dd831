#!/usr/bin/env bash
# Stops, starts or restarts the local PostgreSQL or MariaDB server that the
# end-to-end tests use (the reconnect tests pull the database away under a
# running amarcord-server). Usage: test-db-control.sh postgresql|mysql stop|start|restart
set -euo pipefail
engine=$1 action=$2
case "$engine" in
  postgresql)
    version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
    # "fast" disconnects clients; the default "smart" would wait for them.
    case "$action" in
      stop|restart) pg_ctlcluster "$version" main "$action" -m fast ;;
      start) pg_ctlcluster "$version" main start ;;
    esac
    ;;
  mysql)
    /etc/init.d/mariadb "$action"
    ;;
  *) echo "unknown engine $engine" >&2; exit 2 ;;
esac
