"""mailops: LogicBoxes / ResellerClub Enterprise Email in Slack."""
