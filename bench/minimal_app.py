"""The yardstick for bench/list_throughput.py: the smallest Flask page, served the same way."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def page():
    return "<!doctype html><html lang=en><title>minimal</title><p>Hello from a bare Flask page.</p></html>"
