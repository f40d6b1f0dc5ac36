package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseClassifierTest {

    static final Map<String, Object> OKX_CONFIG = okxConfig();

    static Map<String, Object> okxConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code_pointer", "/code");
        m.put("ok_codes", List.of("0"));
        m.put("rate_limit_codes", List.of("50011", "50061"));
        m.put("retry_codes", List.of("50001", "50013"));
        m.put("message_pointer", "/msg");
        return m;
    }

    final ResponseClassifier okx = new ResponseClassifier(ResponseRules.fromMap(OKX_CONFIG));
    final ResponseClassifier plain = new ResponseClassifier(ResponseRules.NONE);

    @Test
    void okxBodyCodes() {
        assertThat(okx.classify(200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instId\":\"BTC-USDT\"}]}"))
                .isEqualTo(new Classification(ResponseOutcome.OK, 200, "0", null));
        assertThat(okx.classify(200, "{\"code\":\"50011\",\"msg\":\"Rate limit reached. Please refer to API docs\"}"))
                .isEqualTo(new Classification(ResponseOutcome.RATE_LIMITED, 200, "50011",
                        "Rate limit reached. Please refer to API docs"));
        assertThat(okx.classify(429, "{\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}").outcome())
                .isEqualTo(ResponseOutcome.RATE_LIMITED);
        assertThat(okx.classify(200, "{\"code\":\"50061\",\"msg\":\"Sub-account rate limit exceeded\"}").outcome())
                .isEqualTo(ResponseOutcome.RATE_LIMITED);
        assertThat(okx.classify(200, "{\"code\":\"50001\",\"msg\":\"Service temporarily unavailable\"}"))
                .isEqualTo(new Classification(ResponseOutcome.SERVER_ERROR, 200, "50001",
                        "Service temporarily unavailable"));
        assertThat(okx.classify(503, "{\"code\":\"50013\",\"msg\":\"Systems are busy\"}").outcome())
                .isEqualTo(ResponseOutcome.SERVER_ERROR);
        Classification notFound = okx.classify(200, "{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist\",\"data\":[]}");
        assertThat(notFound).isEqualTo(new Classification(ResponseOutcome.BODY_ERROR, 200, "51001",
                "Instrument ID does not exist"));
        assertThat(notFound.toString()).isEqualTo("body_error http=200 code=51001: Instrument ID does not exist");
        // a 4xx with a code: the code and message are kept
        assertThat(okx.classify(400, "{\"code\":\"50014\",\"msg\":\"Parameter instId can not be empty.\"}"))
                .isEqualTo(new Classification(ResponseOutcome.CLIENT_ERROR, 400, "50014",
                        "Parameter instId can not be empty."));
        // numeric codes in the body match text codes
        assertThat(okx.classify(200, "{\"code\":50011}").outcome()).isEqualTo(ResponseOutcome.RATE_LIMITED);
        // no code at the pointer: no body code
        assertThat(okx.classify(200, "{\"data\":[]}").outcome()).isEqualTo(ResponseOutcome.OK);
        assertThat(okx.classify(200, "[1,2]").outcome()).isEqualTo(ResponseOutcome.OK);
    }

    @Test
    void httpStatusesWithoutABodyRule() {
        assertThat(plain.classify(200, "{\"code\":\"50011\"}").outcome()).isEqualTo(ResponseOutcome.OK);
        assertThat(plain.classify(204, (String) null).outcome()).isEqualTo(ResponseOutcome.OK);
        assertThat(plain.classify(429, "").outcome()).isEqualTo(ResponseOutcome.RATE_LIMITED);
        assertThat(plain.classify(418, "").outcome()).isEqualTo(ResponseOutcome.BANNED);
        assertThat(plain.classify(500, "").outcome()).isEqualTo(ResponseOutcome.SERVER_ERROR);
        assertThat(plain.classify(503, "").outcome()).isEqualTo(ResponseOutcome.SERVER_ERROR);
        assertThat(plain.classify(403, "").outcome()).isEqualTo(ResponseOutcome.CLIENT_ERROR);
        assertThat(plain.classify(404, "").outcome()).isEqualTo(ResponseOutcome.CLIENT_ERROR);
        assertThat(plain.classify(301, "").outcome()).isEqualTo(ResponseOutcome.CLIENT_ERROR);
        for (int s : new int[] {200, 204, 301, 400, 403, 418, 429, 500, 503}) {
            assertThat(plain.classify(s, "").outcome()).as("status %d", s).isEqualTo(ResponseOutcome.ofStatus(s));
        }
    }

    @Test
    void nonJsonBodiesNeverThrowAndGiveAnExcerpt() {
        Classification html = okx.classify(502, "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>");
        assertThat(html).isEqualTo(new Classification(ResponseOutcome.SERVER_ERROR, 502, null,
                "<html> <head><title>502 Bad Gateway</title></head> </html>"));
        assertThat(okx.classify(200, "<html>ok</html>")).isEqualTo(new Classification(ResponseOutcome.OK, 200, null, null));
        assertThat(okx.classify(200, "{\"code\":\"0\",\"data\":[").outcome()).isEqualTo(ResponseOutcome.OK); // cut short
        assertThat(okx.classify(200, "{\"code\":\"50011\",\"da").code()).isNull(); // cut short: no code
        assertThat(okx.classify(200, "   ").outcome()).isEqualTo(ResponseOutcome.OK);
        assertThat(okx.classify(200, "null").outcome()).isEqualTo(ResponseOutcome.OK);
        String big = "x".repeat(10_000);
        assertThat(okx.classify(500, big).message()).hasSize(ResponseClassifier.EXCERPT + 3);
        assertThat(okx.classify(500, "").message()).isNull();
    }

    @Test
    void nestedPointersAndAParsedBody() throws Exception {
        ResponseClassifier nested = new ResponseClassifier(ResponseRules.fromMap(Map.of(
                "code_pointer", "/error/code", "ok_codes", List.of(0), "message_pointer", "/error/msg")));
        var body = new ObjectMapper().readTree("{\"error\":{\"code\":2,\"msg\":\"Invalid request\"}}");
        assertThat(nested.classify(200, body)).isEqualTo(new Classification(ResponseOutcome.BODY_ERROR, 200, "2",
                "Invalid request"));
        assertThat(nested.classify(200, new ObjectMapper().readTree("{\"error\":{\"code\":0}}")).ok()).isTrue();
        // a container where a code should be is no code
        assertThat(nested.classify(200, new ObjectMapper().readTree("{\"error\":{\"code\":[1]}}")).ok()).isTrue();
    }

    @Test
    void noAnswer() {
        assertThat(ResponseClassifier.timeout("no answer in 5000 ms"))
                .isEqualTo(new Classification(ResponseOutcome.TIMEOUT, 0, null, "no answer in 5000 ms"));
        assertThat(ResponseClassifier.ioError("Connection refused").toString()).isEqualTo("io_error: Connection refused");
    }

    @Test
    void rulesFromAMapWithDefaultsAndBackToAMap() {
        ResponseRules okxRules = ResponseRules.fromMap(OKX_CONFIG);
        assertThat(okxRules).isEqualTo(new ResponseRules("/code", List.of("0"), List.of("50011", "50061"),
                List.of("50001", "50013"), "/msg"));
        assertThat(ResponseRules.fromMap(okxRules.toMap())).isEqualTo(okxRules);
        // absent keys keep the defaults; numbers are codes too; null clears
        Map<String, Object> extra = new HashMap<>();
        extra.put("rate_limit_codes", Arrays.asList(50011, "50040"));
        extra.put("message_pointer", null);
        ResponseRules merged = ResponseRules.fromMap(extra, okxRules);
        assertThat(merged.rateLimitCodes()).containsExactly("50011", "50040");
        assertThat(merged.okCodes()).containsExactly("0");
        assertThat(merged.messagePointer()).isNull();
        assertThat(ResponseRules.fromMap(Map.of("code_pointer", "/code", "ok_codes", "0")).okCodes()).containsExactly("0");
        assertThat(ResponseRules.fromMap(Map.of("code_pointer", "/c", "ok_codes", List.of(-1003L, 2.0))).okCodes())
                .containsExactly("-1003", "2");
        assertThat(ResponseRules.fromMap(null)).isEqualTo(ResponseRules.NONE);
        assertThat(ResponseRules.fromMap(Map.of())).isEqualTo(ResponseRules.NONE);
    }

    @Test
    void badRulesNameTheField() {
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("okcodes", List.of("0"))))
                .hasMessageContaining("unknown field 'okcodes'").hasMessageContaining("ok_codes");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("code_pointer", "code")))
                .hasMessageContaining("code_pointer 'code' is not a JSON pointer");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("code_pointer", 5)))
                .hasMessageContaining("code_pointer must be a text");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("message_pointer", List.of("/msg"))))
                .hasMessageContaining("message_pointer must be a text");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("code_pointer", "/code", "retry_codes", List.of(Map.of()))))
                .hasMessageContaining("retry_codes must list codes");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("code_pointer", "/code", "ok_codes", List.of(true))))
                .hasMessageContaining("ok_codes must list codes");
        assertThatThrownBy(() -> ResponseRules.fromMap(Map.of("ok_codes", List.of("0"))))
                .hasMessageContaining("no code_pointer");
    }
}
