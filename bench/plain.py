"""The floor of floors: a plain Flask app with one constant route, served like the real app.

`make bench` runs it under the same gunicorn command as the real app and measures it with wrk
in the same run as the real app's bare endpoint; bare / plain is the share of a request's cost
that Flask itself sets, and what the app's hooks, extensions and headers add on top.
"""

from flask import Flask

PLAIN_PATH = "/"

app = Flask(__name__)


@app.get(PLAIN_PATH)
def plain():
    return "ok"
