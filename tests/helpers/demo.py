"""Reading the demo command's printed logins."""

import re

# "practitioner  sam@example.org  <password>" lines, as the demo command prints them.
LOGIN = re.compile(r"^\s+(\S.*?)\s{2,}(\S+@example\.org)\s+(\S+)$", re.MULTILINE)
