# /etc/surveyapp/gunicorn.conf.py — gunicorn settings of surveyapp (read by surveyapp.service).
#
# Listen on the loopback interface (or a unix socket) ONLY.  With SURVEYAPP_TRUST_PROXY=1
# the application believes X-Forwarded-For; a gunicorn reachable from the network could
# be called directly with a forged X-Forwarded-For, and every request would then count
# as a new client for the rate limits, the sign-in throttle and the duplicate checks.
# on_starting refuses to start when a bind is not private and a proxy is trusted.
from surveyapp.cli.serve import gunicorn_on_starting as on_starting  # noqa: F401

# nginx's `upstream surveyapp { server 127.0.0.1:8000; }` must name the same address.
# A unix socket works too: bind = ["unix:/run/surveyapp/gunicorn.sock"] here,
# RuntimeDirectory=surveyapp in the unit, `server unix:/run/surveyapp/gunicorn.sock;`
# in nginx (nginx's user must be in the surveyapp group).
bind = ["127.0.0.1:8000"]

# gthread, 4 processes x 4 threads: the configuration of the load benchmark (bench/load);
# start with 2 x cores workers.  gthread over sync and gevent: in bench/middleware it
# served the most requests and submissions per core; sync closes every connection and a
# slow phone holds a whole process; gevent stalls during SQLite/psycopg C calls.
worker_class = "gthread"
workers = 4
threads = 4
keepalive = 30
# a million-row export takes 15-25 s
timeout = 120
graceful_timeout = 30
# no gunicorn access log: the application writes one JSON line per request to stderr
# (the journal), with its request id and without the client address
