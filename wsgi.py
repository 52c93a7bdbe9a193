import os

from app import create_app

app = create_app(os.environ.get("WEIYI_CONFIG", "default"))
