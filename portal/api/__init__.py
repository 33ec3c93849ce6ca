"""JSON API v1, what every feature's api module shares: the Api and its token guard (core), the JSON errors,
the common schemas; the OpenAPI document is generated from the routes the features register."""
