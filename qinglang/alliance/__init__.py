"""Alliance intelligence sharing: members pool and match black/gray indicators through an
oblivious PRF, so that no identifier — nor a plain hash of one — reaches the hub or another
member. See README.md beside this file for the protocol and why it was chosen."""
