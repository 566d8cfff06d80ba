"""The local services `evwatch run` and the tests start: a single-node Kafka broker and a CPU tritonserver.

Development and CI only; production points evwatch at its own brokers and Triton.
"""
