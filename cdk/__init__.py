"""The AWS deployment: one CloudFormation stack per council, generated from the services' declarations.

`cdk/app.py` is the CDK app (`cdk.json` runs it); `cdk/stack.py` holds `CouncilStack`; `cdk/councils.json` lists the
councils that can be deployed. Routes, rules and functions come from `services.declarations()`, never by hand.
"""
