import os

from app import create_app
from app.ops.serving import hold_while_serving, loaded_to_serve

app = create_app(os.environ.get("WEIYI_CONFIG", "default"))
if loaded_to_serve():  # gunicorn and `flask run`, not the other flask commands
    hold_while_serving(app)
