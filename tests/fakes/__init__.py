"""Hand-written fakes of evwatch's ports (storage protocols, inference) for unit tests of pure logic."""
