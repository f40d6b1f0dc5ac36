package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.component.http.HttpMethods;
import org.junit.jupiter.api.Test;

class ApiClientMethodTest {

    @Test
    void everyValidatedMethodIsPassedAsCamelHttpsEnum() {
        for (String m : ConnectorValidation.METHODS) {
            assertThat(ApiClient.method(m)).isEqualTo(HttpMethods.valueOf(m));
        }
        assertThat(ApiClient.method("PROPFIND")).isEqualTo("PROPFIND");
    }
}
