"""Post-event disposal (事后处置): the police referral package and platform take-down requests."""
