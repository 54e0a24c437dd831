#!/usr/bin/env bash
# Starts the local PostgreSQL and MariaDB servers the tests use (on loopback)
# and creates the test user amarcord_test on both. Safe to run again.
# Prints the environment the tests read, for `eval`: only those export lines
# go to standard output; everything the tools print (pg_ctlcluster's "Removed
# stale pid file", say) goes to standard error so `eval` never runs it.
# The servers started here must not inherit fd 3 (`3>&-`): a daemon holding
# the caller's command-substitution pipe would keep the caller waiting forever.
set -euo pipefail
exec 3>&1 1>&2

# PostgreSQL: Debian's package creates the cluster; start it if it is down.
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
if [[ -z "$version" ]]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null 3>&-
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start 3>&-
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
pg_isready -h 127.0.0.1 -p "$port" >/dev/null || { echo "PostgreSQL did not start" >&2; exit 1; }
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amarcord_test') THEN
    CREATE ROLE amarcord_test LOGIN PASSWORD 'amarcord_test' CREATEDB;
  END IF;
END$$;
SQL

# MariaDB: the init script works with and without systemd.
if ! mysqladmin ping -s >/dev/null 2>&1; then
  /etc/init.d/mariadb start >/dev/null 3>&-
fi
for _ in $(seq 60); do mysqladmin ping -s >/dev/null 2>&1 && break; sleep 0.5; done
mysqladmin ping -s >/dev/null 2>&1 || { echo "MariaDB did not start" >&2; exit 1; }
mysql -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'amarcord_test'@'localhost' IDENTIFIED BY 'amarcord_test';
CREATE USER IF NOT EXISTS 'amarcord_test'@'127.0.0.1' IDENTIFIED BY 'amarcord_test';
GRANT ALL PRIVILEGES ON *.* TO 'amarcord_test'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO 'amarcord_test'@'127.0.0.1';
SQL

echo >&3 "export AMARCORD_TEST_PG_URL=postgresql://amarcord_test:amarcord_test@127.0.0.1:${port}/postgres"
echo >&3 "export AMARCORD_TEST_MYSQL_URL=mysql://amarcord_test:amarcord_test@127.0.0.1:3306/mysql"
