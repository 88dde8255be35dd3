"""The intake service: ODP submissions in, numbered, stored; their files fetched from the council's allowlisted hosts.

Names the declaration and the code share live here, so that a handler's cold start never defines the declarations.
"""

# The council's credential for PlanX's private files (`documents/credentials.py`): a secret under the council's prefix.
DOWNLOAD_CREDENTIAL = "council/{council}/download-credential"
# The scopes of the intake API's operations (an API key's, checked per operation).
WRITE_SCOPE = "planning_application:write"
READ_SCOPE = "planning_application:read"
