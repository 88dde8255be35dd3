"""The publication service: the public read model of published applications, the public APIs and the change feed."""

PUBLIC_READ_MODEL = "public"  # the public register's name in declarations and `bops replay public`
