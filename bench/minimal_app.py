"""The yardstick for bench/list_throughput.py: the smallest Flask page, served the same way."""

from flask import Flask, redirect, request

app = Flask(__name__)


@app.get("/")
def page():
    return "<!doctype html><html lang=en><title>minimal</title><p>Hello from a bare Flask page.</p></html>"


# The stand-in ballot page of `bench/ballot_storm.py --ceiling`: the form the client parses (a token and
# padding to about the real page's size) and a POST answered 303 as a stored ballot is, at next to no cost.
BALLOT_PAGE = (
    "<!doctype html><html lang=en><title>ballot</title>"
    + "<p>"
    + "padding " * 1500
    + "</p>"
    + '<form method=post><input type=hidden name="csrf_token" value="stand-in-token"></form></html>'
)


@app.route("/c/<slug>/rounds/<int:round_id>", methods=["GET", "POST"])
def ballot(slug, round_id):
    if request.method == "POST":
        return redirect(f"/c/{slug}/rounds/{round_id}/receipt", 303)
    return BALLOT_PAGE
