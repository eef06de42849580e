"""The webhook side: a subscription for the chip the script is about to register, and its
deliveries, which go out asynchronously."""

from __future__ import annotations

import time
from typing import Any

from .support import Mismatch, Script, check, same


def subscribe(s: Script, chip: str) -> Any:
    """POST /v1/subscriptions for `chip`'s registration and bans, to REGTL_HOOK_URL."""
    create_subscription = s.ops["create_subscription"]
    subscription_in = s.gen.body_type(create_subscription)
    subscription = s.gen.answer(
        create_subscription.sync_detailed(
            client=s.subscriber,
            body=(
                subscription_in.from_dict(
                    {
                        "url": s.hook_url,
                        "chips": [chip],
                        "event_types": ["ChipRegistered", "ExportBanImposed"],
                    }
                )
            ),
        ),
        "POST /v1/subscriptions",
    )
    check(subscription.id.startswith("sub_"), f"subscription id {subscription.id}")
    check(subscription.secret.startswith("whsec_"), "the subscription's secret is shown once")
    same(subscription.url, s.hook_url, "subscription url")
    return subscription


def wait_for_deliveries(s: Script, subscription: Any, registered: Any, ban: Any) -> None:
    """Wait (bounded) until the registration and the ban are both delivered."""
    wanted = {registered.position, ban.position}
    deadline = time.monotonic() + 20
    while True:
        page = s.gen.answer(
            s.ops["list_deliveries"].sync_detailed(
                subscription_id=subscription.id, client=s.subscriber
            ),
            "GET /v1/subscriptions/{id}/deliveries",
        )
        done = [d for d in page.items if d.delivery_status == "delivered"]
        if wanted <= {d.position for d in done}:
            for d in done:
                same(d.status_code, 204, f"delivery of position {d.position}")
            same(
                next(d.type_ for d in done if d.position == ban.position),
                "ExportBanImposed",
                "delivered type",
            )
            return
        if time.monotonic() > deadline:
            raise Mismatch(
                f"deliveries after 20 s: {[d.to_dict() for d in page.items]}; "
                f"wanted positions {sorted(wanted)}"
            )
        time.sleep(0.1)
