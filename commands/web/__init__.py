"""The stock board (`aid serve`): a WSGI application and its pages for volunteers' phones."""
