"""Values: what people ask for (intents, and the words they are written in), what the use cases
answer (results), a change request and its states, and what a request records (facts, estimate).
Below the behaviour: nothing here decides, calls LogicBoxes or knows Slack."""
