"""Lambda adapter: ring the links function (an asynchronous invoke) to send an owed task result."""

from __future__ import annotations

import json
from typing import Any

from backup.adapters import aws


class LambdaCourier:
    """The courier port: invokes the function behind the decision links with {"action": "deliver"}
    (InvocationType Event: the caller does not wait). The client is made on first use."""

    def __init__(self, function_name: str, client: Any | None = None):
        self.function_name = function_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("lambda")
        return self._client

    def ring(self, delivery_id: str) -> None:
        self.client.invoke(
            FunctionName=self.function_name,
            InvocationType="Event",
            Payload=json.dumps({"action": "deliver", "delivery_id": delivery_id}).encode(),
        )
