# The front door. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
RASA := .venv/bin/rasa
PY := .venv/bin/python

.PHONY: run test setup train shell actions validate test-unit test-nlu test-core bench-nlu bench-entities bench-recommend bench-vision bench-sentiment bench-search bench-stall bench-load bench-dashboard run-cluster review-collect retrain rollback clean

run:            ## set up, train if needed, start action server + Rasa (REST, API with token)
	bash scripts/run.sh

run-cluster:    ## the production profile here: PostgreSQL, Redis, RabbitMQ, 2 rasa instances behind HAProxy (SHOP_INSTANCES)
	bash scripts/run_cluster.sh

test:           ## every test; non-zero exit on any failure
	bash scripts/test.sh

setup:          ## .venv from Python 3.10, one pip resolve, pip check
	bash scripts/setup.sh

train: setup    ## trains only when config, domain, data or model code changed
	bash scripts/train.sh config.yml

shell: train    ## talk to the assistant in the terminal (starts the action server too)
	source scripts/local_secrets.sh && \
	SANIC_HOST=127.0.0.1 $(PY) -m actions.server --actions actions -p 5055 > var/action_server.log 2>&1 & \
	  pid=$$!; source scripts/local_secrets.sh && \
	  $(RASA) shell --model "$$(bash scripts/train.sh | tail -n 1)" --endpoints endpoints.yml; kill $$pid

validate: setup
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings
	$(PY) scripts/check_nlu_data.py

test-unit: setup
	$(PY) -m pytest -q tests

test-nlu: train
	$(RASA) test nlu --nlu tests/nlu_test.yml --model "$$(bash scripts/train.sh | tail -n 1)" --domain domain --out results/nlu
	$(PY) scripts/check_nlu_results.py results/nlu --min-intent-accuracy 0.90

test-core: train
	source scripts/local_secrets.sh && $(RASA) test core --stories tests/stories --model "$$(bash scripts/train.sh | tail -n 1)" --out results/core --fail-on-prediction-errors --e2e

bench-nlu: setup  ## BERT+BiLSTM vs DIET vs LogisticRegression on tests/nlu_test.yml -> bench/results/nlu.json
	$(PY) bench/nlu.py

bench-entities: setup  ## CRF vs spaCy NER entity F1 (exact spans) on tests/nlu_test.yml -> bench/results/entities.json
	$(PY) bench/entities.py

bench-recommend: setup  ## recommender levels vs popularity, simulated + Taobao log -> bench/results/recommend.json
	$(PY) bench/recommend.py

bench-vision: setup  ## mismatch verdicts and visual lookup vs colour/phash baselines -> bench/results/vision.json
	$(PY) bench/vision.py

bench-search: setup  ## product retrieval vs legacy, plain BM25 and FalkorDB full-text on the blind query sets -> bench/results/search.json
	$(PY) bench/search.py

bench-stall: setup  ## shoppers' latency idle vs under hostile maximum-size messages -> bench/results/stall.json
	$(PY) bench/stall.py
review-collect: setup  ## misunderstood messages from the tracker store into the review queue (masked)
	$(PY) -m shop.review.collect

retrain: setup  ## reviewed messages → data/nlu/reviewed/<month>.yml → candidate → gate → promote (results/retrain/)
	source scripts/local_secrets.sh && $(PY) scripts/retrain.py retrain

rollback: setup  ## serve the model from before the last promotion again (and its data)
	source scripts/local_secrets.sh && $(PY) scripts/retrain.py rollback

bench-dashboard: setup  ## the dashboard at 10k and 1M stored events: tracker-store scan vs broker aggregates -> bench/results/dashboard.json
	$(PY) bench/dashboard.py

bench-load: setup  ## Locust shoppers (1/8/32) vs stock moodbot through the REST channel -> bench/results/load.json
	$(PY) bench/load.py

bench-sentiment: setup  ## sentiment model vs baselines (needs bench/data/sentiment/, see its README) -> bench/results/sentiment.json
	$(PY) bench/sentiment.py

clean:
	rm -rf models results .pytest_cache
