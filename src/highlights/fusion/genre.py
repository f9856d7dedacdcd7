"""Genre presets of fusion weights, and turning a genre name into a weight set.

:func:`weights_for_genre` returns weights for ``find_highlights(weights=...)`` tuned
for one kind of stream.  **They were fitted on synthetic data** (see
:func:`highlights.synth.genre_stream` and :func:`highlights.learn.fit_genre_presets`),
not on real recordings: they encode the genres' typical dynamics as the generators
imitate them, and are a better start than the defaults for such streams, not a
measured optimum for yours.

Genres
------
``game``
    Gameplay: moments are loud (shouting, effects), fast (motion, flashes) and make
    chat spam emotes; distractors are camera switches, a loud music bed and a spam bot.
``talk``
    Just chatting: low motion, moments are laughter in the audio and in chat.
``shopping``
    Live commerce: moments are deals, where orders and gifts (``chat_value``) and
    questions ("link?", "size?") in chat surge, and a product pin (a scene change)
    appears.

A preset is :data:`~highlights.fusion.DEFAULT_WEIGHTS` with each family of signals
(:data:`FAMILIES`: voice, picture, chat, value) scaled by a multiplier fitted on that
genre's synthetic streams, so it covers every signal the defaults weigh.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from importlib import resources

from .._validate import check_choice, check_nonneg
from ..errors import HighlightsError
from ..timeline import Timeline

log = logging.getLogger(__name__)

#: Genres with a weight preset.
GENRES = ("game", "talk", "shopping")
#: The family of each weighted signal.  A genre preset is the default weights with
#: each family scaled by how much more (or less) that family predicts highlights in
#: the genre than in the average genre (see :func:`highlights.learn.fit_genre_presets`).
FAMILIES: Mapping[str, str] = {
    "audio_react": "voice", "audio_burst": "voice", "audio_rms_db": "voice",
    "audio_onset": "voice", "audio_excite": "voice",
    "scene": "picture", "motion": "picture", "video_bytes": "picture",
    "chat_onset": "chat", "chat_rate": "chat", "chat_unique": "chat", "chat_react": "chat",
    "chat_emote": "chat", "chat_fresh": "chat",
    "chat_value": "value",
}
_DATA_FILE = "genre_weights.json"
_PRESET_FORMAT = "highlights.genre_weights"

def weights_for_genre(name: str) -> dict[str, float]:
    """Fusion weights preset for a genre, for ``find_highlights(weights=...)``.

    The presets were fitted on synthetic streams (see the module notes and
    :func:`fit_genre_presets`), not on real recordings.

    Parameters
    ----------
    name : {"game", "talk", "shopping"}
        The genre.

    Returns
    -------
    dict of str to float
        Weight per signal (a fresh dict).

    Raises
    ------
    InvalidParameterError
        For an unknown genre.
    HighlightsError
        If the packaged preset file is missing or damaged.

    Examples
    --------
    >>> w = weights_for_genre("shopping")
    >>> w["chat_value"] > 0
    True
    """
    check_choice("name", "weights_for_genre", name, GENRES)
    try:
        text = resources.files("highlights").joinpath("data").joinpath(_DATA_FILE).read_text(
            encoding="utf-8")
        doc = json.loads(text)
        weights = doc["genres"][name]["weights"]
        if doc.get("format") != _PRESET_FORMAT or not isinstance(weights, dict):
            raise ValueError("unexpected content")
        out = {str(k): check_nonneg(f"weights[{k!r}]", "weights_for_genre", v)
               for k, v in weights.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HighlightsError(
            f"The packaged genre presets ({_DATA_FILE}) are missing or damaged: {exc}. "
            "Reinstall highlights."
        ) from exc
    return out


def resolve_weights(
    weights: Mapping[str, float] | str | None, timelines: Mapping[str, Timeline]
) -> Mapping[str, float] | None:
    """Turn a genre name into a complete weight set for the signals that are present.

    A genre preset is a whole set: signals it does not name get weight 0 rather than
    their default weight.
    """
    if not isinstance(weights, str):
        return weights
    preset = weights_for_genre(weights)
    return {k: float(preset.get(k, 0.0)) for k in timelines}
