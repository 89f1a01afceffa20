"""Walking a couple's disclosure through its pages: the addresses, and the steps that
start, write and release a part (shared by the disclosure and safety-net tests)."""


def overview(world) -> str:
    return f"/couples/{world.couple_id}/disclosure/"


def practitioner_part(world, position: int) -> str:
    return f"/couples/{world.couple_id}/disclosure/parts/{position}"


def mine(position: int) -> str:
    return f"/my/disclosure/parts/{position}"


def start(alice, world):
    response = alice.post(f"/couples/{world.couple_id}/disclosure/start", form_url=overview(world))
    assert response.status_code == 302


def write(person, position: int, text: str, action: str = "submit"):
    return person.post(mine(position), {"text": text, "action": action})


def release(alice, world, position: int, visibility: str, comment: str = ""):
    response = alice.post(
        practitioner_part(world, position),
        {"visibility": visibility, "comment": comment, "action": "release"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
