"""What the dialogue needs beyond NLU: reading shoppers' free-text answers and wording replies.

Pure functions, no Rasa imports, so they are tested directly and the actions stay thin.
"""
