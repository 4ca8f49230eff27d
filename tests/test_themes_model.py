"""The learnt theme decision (issue 12, item 6): the model file, its explanations, its training
and the cross-validation that chose it over the trigger-term rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from archive import gazetteer as g
from archive.gazetteer import themes as theme_rules
from archive.gazetteer.theme_model import MODEL_FILE, ThemeModel, load_model
from indexer import train_themes

BUNDLED_MODEL = g.VOCAB_DIR / MODEL_FILE


@pytest.fixture(scope="module")
def annotated() -> list[train_themes.Annotated]:
    """The seed and dev documents as the indexer reads them (never the test half)."""
    return train_themes.load_documents()


def test_the_bundled_model_matches_the_theme_labels() -> None:
    model = load_model()
    assert model is not None
    assert model.labels == g.theme_labels()
    assert model.word_weights.shape == (len(model.vocabulary), len(model.labels))
    assert 0.0 < model.threshold < 1.0


def test_a_document_about_shipbuilding_gets_its_theme_with_an_explanation() -> None:
    title = "Chantiers de l'Atlantique : la commande de deux frégates pour la Marine nationale"
    text = (
        "Les Chantiers de l'Atlantique ont reçu la commande de deux frégates de défense pour la "
        "Marine nationale. La construction navale militaire mobilisera 400 salariés à Saint-Nazaire "
        "pendant trois ans, et la direction annonce 150 embauches.\n\n"
        "Le programme de défense soutient les sous-traitants de la filière navale."
    )
    matches = g.match_themes(text, title, lead_end=200)
    themes = [m.value for m in matches]
    assert "aéronautique et défense" in themes
    assert "emploi" in themes
    assert 1 <= len(themes) <= 3
    for match in matches:
        assert match.evidence, match.value  # each theme says why
    evidence = dict((m.value, m.evidence) for m in matches)
    assert {"frégates", "défense"} & set(evidence["aéronautique et défense"])


def test_a_document_without_any_trigger_term_gets_no_theme() -> None:
    assert g.match_themes("Le chat dort sur le canapé du salon, au soleil.") == []


def test_a_layoff_plan_in_a_steelworks_gets_its_three_themes() -> None:
    """The sector, the closure and the jobs, each explained once (a word already inside a trigger
    term is not repeated among the model's words)."""
    text = (
        "ArcelorMittal annonce la fermeture de la cokerie de Florange et un plan de licenciements. "
        "Les hauts fourneaux et l'aciérie de la sidérurgie lorraine sont arrêtés. "
        "629 postes sont supprimés."
    )
    reading = theme_rules.read_themes(text)
    with_model = {m.value for m in g.match_themes(text)}
    assert {"sidérurgie et métallurgie", "fermeture et restructuration", "emploi"} <= with_model
    assert reading.ranked  # candidates come from the trigger terms
    for match in g.match_themes(text):
        folded = [term.lower() for term in match.evidence]
        assert len(folded) == len(set(folded)), match.evidence
    steel = next(m for m in g.match_themes(text) if m.value == "sidérurgie et métallurgie")
    assert "arcelormittal" not in steel.evidence and "fourneaux" not in steel.evidence


def test_labels_that_differ_from_the_model_fall_back_to_the_rules(lab_vocab: Path) -> None:
    """A lab that edits its theme list keeps themes: the rules decide until the model is retrained."""
    items = yaml.safe_load((lab_vocab / "themes.yaml").read_text(encoding="utf-8"))
    items[0]["label"] = "emploi et chômage"
    (lab_vocab / "themes.yaml").write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    g.clear_caches()
    text = "L'usine va fermer : 300 emplois supprimés, la direction annonce des licenciements."
    reading = theme_rules.read_themes(text)
    assert [m.value for m in g.match_themes(text)] == [m.value for m in theme_rules.rule_themes(reading)]
    assert "emploi et chômage" in [m.value for m in g.match_themes(text)]


def test_the_vocabulary_fingerprint_follows_the_model_file(lab_vocab: Path) -> None:
    before = g.vocab_fingerprint()
    data = json.loads(BUNDLED_MODEL.read_text(encoding="utf-8"))
    data["threshold"] = 0.9
    (lab_vocab / MODEL_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    g.clear_caches()
    assert g.vocab_fingerprint() != before
    assert load_model().threshold == 0.9  # the lab's copy is the one used


def test_a_model_file_of_other_features_is_refused() -> None:
    data = json.loads(BUNDLED_MODEL.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError):
        ThemeModel.from_json(data)


def test_a_model_file_of_the_fourth_round_six_letter_stems_is_refused() -> None:
    """Stems are 5 letters since the fifth round: a file of 6-letter stems would match no word."""
    data = json.loads(BUNDLED_MODEL.read_text(encoding="utf-8"))
    assert data["stem_length"] == 5
    data["stem_length"] = 6
    with pytest.raises(ValueError):
        ThemeModel.from_json(data)


def test_an_unreadable_model_file_falls_back_to_the_rules_with_a_warning(lab_vocab: Path, caplog) -> None:
    """A lab's copy of the model written by another version (or damaged) must not stop indexing:
    before, every document raised ValueError in match_themes."""
    data = json.loads(BUNDLED_MODEL.read_text(encoding="utf-8"))
    data["stem_length"] = 6
    text = "L'usine va fermer : 300 emplois supprimés, la direction annonce des licenciements."
    for content in (json.dumps(data, ensure_ascii=False), "{ pas du JSON"):
        (lab_vocab / MODEL_FILE).write_text(content, encoding="utf-8")
        g.clear_caches()
        with caplog.at_level("WARNING", logger="archive.gazetteer"):
            found = [m.value for m in g.match_themes(text)]
        assert found == [m.value for m in theme_rules.rule_themes(theme_rules.read_themes(text))]
        assert "emploi" in found
        assert "python -m indexer.train_themes" in caplog.text
        caplog.clear()


def test_micro_f1() -> None:
    assert train_themes.micro_f1([{"a", "b"}], [frozenset({"a"})]) == pytest.approx(2 / 3)
    assert train_themes.micro_f1([set()], [frozenset()]) == 1.0


def test_cross_validation_never_scores_a_document_it_trained_on(annotated) -> None:
    """A method that only remembers its training documents scores 0 out of sample."""

    def remember(train):
        known = {(d.folder, d.name): d.expected for d in train}
        return lambda d: set(known.get((d.folder, d.name), ()))

    assert train_themes.cross_validate(annotated, remember) == 0.0
    assert train_themes.repeated_cross_validation(annotated, remember, repeats=3) == [0.0, 0.0, 0.0]
    assert train_themes.leave_set_out(annotated, remember) == 0.0
    assert train_themes.transfer_to_seed(annotated, remember) == 0.0
    assert all(d.set in {"seed", "dev"} for d in annotated)  # the test half is never read


def test_the_model_beats_the_rules_out_of_sample(annotated) -> None:
    """Why the model is shipped (benchmarks/RESULTS.md, « Themes, fourth round »)."""
    rules = train_themes.cross_validate(annotated, train_themes.rules_method)
    model = train_themes.cross_validate(annotated, train_themes.model_method)
    assert model > rules + 0.02


def test_shuffled_folds_are_another_assignment_of_the_same_documents(annotated) -> None:
    """Each fold assignment scores every dev document once, and the assignments differ."""
    seen: list[list[str]] = []

    def record(train):
        names = {(d.folder, d.name) for d in train}
        return lambda d: seen[-1].append(d.name) or ({"emploi"} if (d.folder, d.name) not in names else set())

    for shuffle in (0, 1):
        seen.append([])
        train_themes.cross_validate(annotated, record, shuffle=shuffle)
    dev = sorted(d.name for d in annotated if d.set == "dev")
    assert sorted(seen[0]) == dev and sorted(seen[1]) == dev
    assert seen[0] != seen[1]


def test_the_word_models_solved_on_the_gram_matrix_equal_the_direct_solution() -> None:
    """fit_logistic_kernel runs fit_logistic's iterates in the span of the rows: same weights."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 200)) / 10
    y = (rng.random((30, 4)) < 0.3).astype(float)
    direct = train_themes.fit_logistic(x, y, 0.1, steps=200)
    kernel = train_themes.fit_logistic_kernel(x, y, 0.1, steps=200)
    assert np.allclose(direct[0], kernel[0], atol=1e-8)
    assert np.allclose(direct[1], kernel[1], atol=1e-8)


def test_the_shipped_word_penalty_does_not_lose_to_the_previous_one(annotated) -> None:
    """Why WORD_PENALTY is 0.1 (benchmarks/RESULTS.md, « Themes, fifth round »): over three fold
    assignments of the dev half, the model with it scores at least as well as with 0.3."""
    now = train_themes.repeated_cross_validation(annotated, train_themes.model_method, repeats=3)
    before = train_themes.repeated_cross_validation(annotated, train_themes.model_method_fourth_round, repeats=3)
    assert train_themes.WORD_PENALTY == 0.1
    assert np.mean(now) >= np.mean(before)


def test_the_model_file_reproduces_from_the_script(annotated, tmp_path: Path) -> None:
    out = tmp_path / MODEL_FILE
    assert train_themes.main(["--output", str(out)], docs=annotated) == 0
    fresh = json.loads(out.read_text(encoding="utf-8"))
    bundled = json.loads(BUNDLED_MODEL.read_text(encoding="utf-8"))
    assert fresh.keys() == bundled.keys()
    assert fresh["vocabulary"].keys() == bundled["vocabulary"].keys()
    assert fresh["threshold"] == bundled["threshold"]
    assert fresh["weights"] == pytest.approx(bundled["weights"], abs=2e-4)
    assert fresh["label_bias"] == pytest.approx(bundled["label_bias"], abs=2e-4)
    for stem, weights in bundled["vocabulary"].items():
        assert fresh["vocabulary"][stem] == pytest.approx(weights, abs=2e-4), stem


def test_the_threshold_is_the_highest_within_the_noise_of_the_best() -> None:
    curve = {0.2: 0.7996, 0.3: 0.7937, 0.425: 0.7992, 0.45: 0.7943, 0.6: 0.7747}
    assert train_themes._threshold(curve) == 0.425
    assert train_themes._threshold({0.2: 0.80, 0.425: 0.70}) == 0.2  # a real difference still wins
