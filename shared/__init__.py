"""Code shared by the services: ports and adapters, wiring, the embedded runtime's building blocks.

Importing it does nothing else: a Lambda handler module tunes its own start-up with one explicit call at its top
(`shared.startup.lambda_start`).
"""
