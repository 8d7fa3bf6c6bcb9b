"""The LMS side of grading: intake of bulk downloads, the roster (identity, lateness), the late policy.

unpack_submissions(path, workdir) -> (folder, Roster)   Moodle/Canvas zip or folder -> <student>.ipynb
load_roster(folder) / save_roster(roster, folder)      <results>/<assignment>/roster.json
apply_late_policy(result, policy, entry)               score = points of the checks - late penalty
"""

from __future__ import annotations

from grader.lms.intake import IntakeLimits, unpack_submissions
from grader.lms.late import apply_late_policy
from grader.lms.roster import Roster, RosterEntry, load_roster, save_roster

__all__ = ["IntakeLimits", "Roster", "RosterEntry", "apply_late_policy", "load_roster", "save_roster", "unpack_submissions"]
