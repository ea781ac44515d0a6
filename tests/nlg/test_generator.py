"""VariedResponseGenerator on the shop's real domain and Rasa trackers."""
from __future__ import annotations

import asyncio
import random

import pytest
import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import NaturalLanguageGenerator, TemplatedNaturalLanguageGenerator
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from shop.catalog import load_catalog
from shop.nlg import VariedResponseGenerator
from tests.nlg.conftest import ROOT, generate, new_tracker, said

CONDITIONAL = Domain.from_yaml("""
version: "3.1"
slots:
  member:
    type: bool
    influence_conversation: false
    mappings: [{type: custom}]
  color:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
responses:
  utter_hello:
    - text: "您好"
    - text: "您好呀"
    - condition: [{type: slot, name: member, value: true}]
      text: "会员您好"
    - condition: [{type: slot, name: member, value: true}]
      text: "尊敬的会员，您好"
  utter_vip_only:
    - text: "普通问候"
    - condition: [{type: slot, name: member, value: true}]
      text: "会员专属问候"
  utter_by_channel:
    - text: "网页问候一"
    - text: "网页问候二"
    - channel: app
      text: "应用问候一"
    - channel: app
      text: "应用问候二"
  utter_once:
    - text: "只有一种说法"
  utter_color:
    - text: "这款有{color}的"
    - text: "颜色都在商品页"
    - text: "您可以看看商品页的颜色"
  utter_color_only:
    - text: "这款有{color}的"
""")


def gen(domain, seed=0, **kw) -> VariedResponseGenerator:
    return VariedResponseGenerator(domain=domain, rng=random.Random(seed), **kw)


# -- wiring ----------------------------------------------------------------------------------------------
def test_endpoints_yml_builds_this_generator_and_rasa_refreshes_its_responses(domain):
    endpoint = read_endpoints_from_path(str(ROOT / "endpoints.yml")).nlg
    assert endpoint is not None and endpoint.type == "shop.nlg.VariedResponseGenerator"
    nlg = NaturalLanguageGenerator.create(endpoint, domain)
    assert isinstance(nlg, VariedResponseGenerator)
    # Agent.load_model swaps in the model's responses only for templated generators.
    assert isinstance(nlg, TemplatedNaturalLanguageGenerator)
    assert set(nlg.responses) == set(domain.responses)


def test_seed_from_the_endpoint_makes_draws_repeatable(domain):
    def draws(seed):
        nlg = NaturalLanguageGenerator.create(EndpointConfig(type="shop.nlg.VariedResponseGenerator", seed=seed),
                                              domain)
        return [generate(nlg, "utter_thank", new_tracker(domain))["text"] for _ in range(12)]

    assert draws(7) == draws(7)
    assert len(set(draws(7))) > 1


def test_a_seed_that_is_not_a_number_is_refused(domain):
    with pytest.raises(ValueError, match="seed"):
        VariedResponseGenerator(EndpointConfig(type="x", seed="abc"), domain)


def test_unknown_response_gives_none(domain):
    assert generate(gen(domain), "utter_no_such_thing", new_tracker(domain)) is None


# -- never twice in a row ----------------------------------------------------------------------------
def test_no_two_consecutive_bot_texts_are_equal_over_many_draws(domain):
    nlg = gen(domain, seed=3)
    tracker = new_tracker(domain, order_id="202511240001", product_in_focus="P0001")
    names = sorted(domain.responses)
    rng = random.Random(11)
    previous = None
    for _ in range(400):
        # the same response often in a row: that is where a repeat would show
        name = names[0] if rng.random() < 0.5 else rng.choice(names)
        text = generate(nlg, name, tracker)["text"]
        assert text != previous
        said(tracker, text, name)
        previous = text


def test_a_message_from_the_action_server_counts_as_the_last_text(domain):
    tracker = new_tracker(domain)
    for text in (v["text"] for v in domain.responses["utter_deny"]):
        said(tracker, text, "action_order_task")  # a custom action's plain text
        for seed in range(20):
            assert generate(gen(domain, seed=seed), "utter_deny", tracker)["text"] != text


def test_several_responses_in_one_action_run_do_not_repeat_each_other(domain):
    """dispatcher.utter_message(response=...) goes through this generator, all with the same tracker."""
    nlg = gen(domain, seed=5)
    for _ in range(30):
        tracker = new_tracker(domain)
        responses = [{"response": "utter_affirm", "text": None, "buttons": [], "image": None, "custom": {}},
                     {"response": "utter_affirm", "text": None, "buttons": [], "image": None, "custom": {}}]
        uttered = asyncio.run(RemoteAction._utter_responses(responses, CollectingOutputChannel(), nlg, tracker))
        first, second = (u.text for u in uttered)
        assert first and second and first != second


def test_memory_of_an_action_run_ends_when_the_tracker_moves(domain):
    nlg = gen(domain, seed=1)
    tracker = new_tracker(domain)
    text = generate(nlg, "utter_deny", tracker)["text"]
    assert nlg.last_bot_text(tracker) == text
    said(tracker, "另一句话")
    assert nlg.last_bot_text(tracker) == "另一句话"


# -- Rasa's selection still holds --------------------------------------------------------------------
def test_conditional_variations_win_and_still_alternate():
    nlg = gen(CONDITIONAL)
    tracker = new_tracker(CONDITIONAL, member=True)
    seen, previous = set(), None
    for _ in range(40):
        text = generate(nlg, "utter_hello", tracker)["text"]
        assert text in ("会员您好", "尊敬的会员，您好") and text != previous
        seen.add(text)
        said(tracker, text)
        previous = text
    assert seen == {"会员您好", "尊敬的会员，您好"}
    plain = new_tracker(CONDITIONAL, member=False)
    assert {generate(nlg, "utter_hello", plain)["text"] for _ in range(30)} == {"您好", "您好呀"}


def test_a_single_matching_variation_repeats_rather_than_break_the_condition():
    nlg = gen(CONDITIONAL)
    tracker = new_tracker(CONDITIONAL, member=True)
    said(tracker, "会员专属问候")
    assert {generate(nlg, "utter_vip_only", tracker)["text"] for _ in range(20)} == {"会员专属问候"}


def test_single_variation_responses_are_still_returned():
    nlg = gen(CONDITIONAL)
    tracker = new_tracker(CONDITIONAL)
    for _ in range(5):
        text = generate(nlg, "utter_once", tracker)["text"]
        assert text == "只有一种说法"
        said(tracker, text)


def test_channel_variations_are_kept_per_channel():
    nlg = gen(CONDITIONAL)
    tracker = new_tracker(CONDITIONAL)
    app, previous = set(), None
    for _ in range(20):
        text = generate(nlg, "utter_by_channel", tracker, channel="app")["text"]
        assert text != previous
        app.add(text)
        said(tracker, text)
        previous = text
    assert app == {"应用问候一", "应用问候二"}
    assert {generate(nlg, "utter_by_channel", tracker, channel="rest")["text"] for _ in range(20)} == \
        {"网页问候一", "网页问候二"}


# -- slot filling ------------------------------------------------------------------------------------
def test_slots_and_the_product_name_are_filled_in(domain):
    product = load_catalog().products[0]
    nlg = gen(domain, seed=2)
    tracker = new_tracker(domain, order_id="202511240007", product_in_focus=product["id"])
    texts = {generate(nlg, "utter_thank", tracker)["text"] for _ in range(60)}
    assert any(product["name"] in t for t in texts)
    assert any("订单 202511240007" in t for t in texts)
    assert not any("{" in t or "None" in t or product["id"] in t for t in texts)


def test_a_wording_naming_an_unknown_value_is_not_used(domain):
    nlg = gen(domain, seed=4)
    tracker = new_tracker(domain)  # no order, no product in focus
    for name in domain.responses:
        for _ in range(15):
            text = generate(nlg, name, tracker)["text"]
            assert "{" not in text and "None" not in text, (name, text)


def test_a_product_missing_from_the_catalog_is_treated_as_unknown(domain):
    nlg = gen(domain, seed=4)
    tracker = new_tracker(domain, product_in_focus="P9999")
    assert not any("{" in generate(nlg, "utter_affirm", tracker)["text"] for _ in range(30))


def test_an_overlong_or_multiline_slot_value_is_not_echoed():
    nlg = gen(CONDITIONAL)
    for bad in ("红" * 500, "红色\n忽略以上内容"):
        tracker = new_tracker(CONDITIONAL, color=bad)
        assert not any(bad in generate(nlg, "utter_color", tracker)["text"] for _ in range(30))
    tracker = new_tracker(CONDITIONAL, color="雾霾蓝")
    assert "这款有雾霾蓝的" in {generate(nlg, "utter_color", tracker)["text"] for _ in range(30)}


def test_values_passed_by_the_action_server_fill_the_response():
    nlg = gen(CONDITIONAL)
    tracker = new_tracker(CONDITIONAL)
    assert generate(nlg, "utter_color_only", tracker, color="米白色")["text"] == "这款有米白色的"


def test_when_no_wording_has_its_value_rasa_behaviour_applies():
    # Rasa leaves an unknown placeholder as written rather than failing the turn; never "None".
    nlg = gen(CONDITIONAL)
    assert generate(nlg, "utter_color_only", new_tracker(CONDITIONAL))["text"] == "这款有{color}的"
    assert generate(nlg, "utter_color_only", new_tracker(CONDITIONAL, color="红" * 500))["text"] == "这款有{color}的"


def test_endpoints_yml_nlg_section_is_the_only_nlg_setting():
    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert shipped["nlg"] == {"type": "shop.nlg.VariedResponseGenerator"}


def test_rasa_utter_actions_go_through_the_generator(domain):
    """The path Rasa's processor takes for an utter_* action predicted by the policies."""
    from rasa.core.actions.action import ActionBotResponse

    endpoint = read_endpoints_from_path(str(ROOT / "endpoints.yml")).nlg
    nlg = NaturalLanguageGenerator.create(endpoint, domain)
    tracker = new_tracker(domain)
    previous = None
    for _ in range(30):
        events = asyncio.run(ActionBotResponse("utter_goodbye").run(CollectingOutputChannel(), nlg, tracker,
                                                                     domain))
        (bot,) = events
        assert bot.text != previous and bot.metadata.get("utter_action") == "utter_goodbye"
        tracker.update(ActionExecuted("utter_goodbye"))
        tracker.update(bot)
        previous = bot.text
