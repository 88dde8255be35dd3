"""AWS SDK plumbing shared by the adapters: clients built quickly from lean botocore data."""
