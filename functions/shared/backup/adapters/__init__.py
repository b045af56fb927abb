"""The outside world behind the use cases' ports: DynamoDB, SES, Step Functions, Lambda's
environment and Powertools' metrics, and the in-memory stand-ins the tests use."""
