package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueryParametersTest {
    @Test
    void wellFormedQueries() {
        assertTrue(QueryParameters.isWellFormed(null));
        assertTrue(QueryParameters.isWellFormed(""));
        assertTrue(QueryParameters.isWellFormed("token=6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d"));
        assertTrue(QueryParameters.isWellFormed("token=%36f&x=a+b&y=~!$'()*,;:@/?"));
    }

    @Test
    void malformedQueries() {
        assertFalse(QueryParameters.isWellFormed("token=%zz"));
        assertFalse(QueryParameters.isWellFormed("token=abc%"));
        assertFalse(QueryParameters.isWellFormed("token=abc%4"));
        assertFalse(QueryParameters.isWellFormed("token=abc&x=|"));
        assertFalse(QueryParameters.isWellFormed("token=abc&x=\"<script>\""));
        assertFalse(QueryParameters.isWellFormed("token=abc def"));
        assertFalse(QueryParameters.isWellFormed("token=caf\u00e9"));
    }
}
