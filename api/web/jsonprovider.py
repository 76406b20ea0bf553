"""A fast JSON provider for Flask, built on orjson."""

import orjson
from flask.json.provider import JSONProvider


class OrjsonProvider(JSONProvider):
    """Serialise responses with orjson (bytes, UTF-8, no extra whitespace)."""

    def dumps(self, obj, **kwargs):
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS), mimetype="application/json")
