"""Text helpers of the template detector: normalisation and MinHash signatures."""
