#!/bin/bash
# Entrypoint of local/postgres:15, built by ci/images/build-postgres.
#
# It honours the same contract as the official `postgres` image, because
# testcontainers-modules and docker-compose files written for that image must
# work unchanged against this one:
#
# - POSTGRES_PASSWORD is required, unless POSTGRES_HOST_AUTH_METHOD=trust.
# - POSTGRES_USER defaults to `postgres`, POSTGRES_DB to the user's name.
# - POSTGRES_INITDB_ARGS is passed to initdb (e.g. `--no-sync`).
# - On an empty PGDATA: initdb, then a *temporary* server on the Unix socket
#   only (its log goes to stdout) runs /docker-entrypoint-initdb.d/*, stops,
#   and the real server starts (its log goes to stderr). So the line
#   "database system is ready to accept connections" appears on stdout and
#   then on stderr: testcontainers' Postgres module waits for both.
# - Arguments that start with `-` are server options (`-c fsync=off`):
#   `postgres` is put in front of them.
# - Started as root, it fixes ownership and drops to the postgres user.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

# Anything that is not the server (`bash`, `psql ...`) just runs.
if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  # No gosu in a Debian minbase; setpriv (util-linux) does the same job.
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

fail() {
  echo "postgres-entrypoint: $*" >&2
  exit 1
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != 'trust' ]; then
    fail "the database is uninitialized and POSTGRES_PASSWORD is not set. Fix: pass -e POSTGRES_PASSWORD=<a password>, or -e POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one (tests only)."
  fi

  # The password reaches initdb through a file descriptor, never argv,
  # so `ps` can't show it.
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words on purpose
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" ${POSTGRES_INITDB_ARGS:-}

  # Reachable from other containers and through published ports...
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  # ...and every network connection must authenticate (Unix socket: trust,
  # as initdb set it, so init scripts inside the container need no password).
  printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # Temporary server: socket only, so no client can connect before init ends.
  # Without -l, pg_ctl leaves the server's log on our stdout.
  shift # drop `postgres`: pg_ctl wants only the options
  pg_ctl -D "$PGDATA" -w start -o "-c listen_addresses='' $*"
  set -- postgres "$@"

  psql_init=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres)
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    "${psql_init[@]}" --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for file in /docker-entrypoint-initdb.d/*; do
    [ -e "$file" ] || continue
    # shellcheck source=/dev/null # the user's own scripts, found at run time
    case "$file" in
      *.sh) echo "running $file"; . "$file" ;;
      *.sql) echo "running $file"; "${psql_init[@]}" --dbname "$POSTGRES_DB" -f "$file" ;;
      *.sql.gz) echo "running $file"; gunzip -c "$file" | "${psql_init[@]}" --dbname "$POSTGRES_DB" ;;
      *) echo "ignoring $file" ;;
    esac
  done

  pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
fi

# The real server: exec, so it is PID 1 and gets `docker stop`'s signal.
exec "$@"
