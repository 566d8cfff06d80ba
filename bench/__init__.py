"""Benchmarks (`just bench`): results go to bench/results/*.json."""
