"""The case status type itself allows only the moves of the workflow."""

from __future__ import annotations

import pytest

from qinglang.model.case import CaseStatus, InvalidTransition


@pytest.mark.parametrize("start, end", [
    ("new", "investigating"), ("investigating", "referred"), ("investigating", "taken_down"),
    ("taken_down", "referred"), ("referred", "closed"), ("taken_down", "closed"),
])
def test_the_workflow_moves_forward(start, end):
    assert CaseStatus(start).transition_to(end) is CaseStatus(end)


@pytest.mark.parametrize("start, end", [
    ("new", "referred"), ("new", "closed"), ("investigating", "new"), ("referred", "new"),
    ("closed", "investigating"), ("dismissed", "investigating"), ("new", "new"),
])
def test_a_step_cannot_be_skipped_nor_a_final_case_reopened(start, end):
    with pytest.raises(InvalidTransition, match=f"cannot become {end}"):
        CaseStatus(start).transition_to(end)


def test_dismissal_needs_a_reason():
    with pytest.raises(InvalidTransition, match="reason"):
        CaseStatus.INVESTIGATING.transition_to("dismissed", "  ")
    assert CaseStatus.NEW.transition_to("dismissed", "真实投诉") is CaseStatus.DISMISSED


def test_final_states_are_closed_and_dismissed_only():
    assert {s for s in CaseStatus if not s.is_open} == {CaseStatus.CLOSED, CaseStatus.DISMISSED}


def test_an_unknown_status_is_refused_by_name():
    with pytest.raises(InvalidTransition, match="unknown case status 'done'"):
        CaseStatus.NEW.transition_to("done")
