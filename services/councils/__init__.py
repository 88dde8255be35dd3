"""The councils service: each council's settings, officers and API keys, event-sourced on its stream (`council:CODE`);
the API-keys read model and the Lambda authorizer that checks keys against it.

Other services read a council's settings through `shared.councils` (plumbing), never by importing this package.
"""

API_KEYS_READ_MODEL = "api-keys"  # the read model's name: the projection writes it, the authorizer reads it
OFFICERS_READ_MODEL = "officers"  # the officers' current role and active flag: the authorizer and sign-in read it
