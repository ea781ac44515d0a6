"""channels.server.validate_action_results_once: Rasa's check of action server replies, same verdicts,
the schema checked once instead of on every reply."""
import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from channels.server import validate_action_results_once

GOOD = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "好的"}]}
BAD = [{"events": {"event": "slot"}}, {"events": [{"event": 5}]}, {"responses": "好的"}, {"events": [{"no": "event"}]}]


def test_same_verdicts_as_rasas_own_check_with_its_message():
    original = RemoteAction._validate_action_result
    validate_action_results_once()
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))
    schema = RemoteAction.action_response_format_spec()
    try:
        assert action._validate_action_result(GOOD) is True
        for reply in BAD:
            with pytest.raises(ValidationError) as theirs:
                validate(reply, schema)
            with pytest.raises(ValidationError) as ours:
                action._validate_action_result(reply)
            assert ours.value.message.startswith(theirs.value.message)
            assert "Failed to validate Action server response" in ours.value.message
        validate_action_results_once()   # installed once
        assert RemoteAction._validate_action_result.shop_once
    finally:
        RemoteAction._validate_action_result = original
