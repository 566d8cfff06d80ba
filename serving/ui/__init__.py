"""The web dashboard at `/ui`: a static page whose scripts call the `/v1` API with the signed-in credential."""
