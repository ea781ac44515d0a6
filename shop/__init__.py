"""电商智能客服: everything that is not Rasa glue (NLU model, shop logic, stores)."""
