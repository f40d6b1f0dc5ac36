package io.marketetl.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A Prometheus text exposition as a list of samples (name, labels, value), as a scraper reads it: for assertions on
 * what /observe/metrics shows.
 */
public final class PrometheusScrape {

    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String key) {
            return labels.get(key);
        }
    }

    private final List<Sample> samples;

    private PrometheusScrape(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusScrape parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            Map<String, String> labels = new LinkedHashMap<>();
            String name;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split(",(?=[a-zA-Z_]+=\")")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            } else {
                name = line.substring(0, space).strip();
            }
            out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).strip())));
        }
        return new PrometheusScrape(out);
    }

    /** The samples named {@code name}. */
    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The samples named {@code name} with label {@code source} = {@code source}. */
    public List<Sample> of(String name, String source) {
        return samples.stream().filter(s -> s.name().equals(name) && source.equals(s.label("source"))).toList();
    }

    /** The sum of the matching samples' values. */
    public double sum(String name, String source) {
        return of(name, source).stream().mapToDouble(Sample::value).sum();
    }

    /** The sum of the values of the samples named {@code name} that pass {@code filter}. */
    public double sum(String name, Predicate<Sample> filter) {
        return named(name).stream().filter(filter).mapToDouble(Sample::value).sum();
    }

    public List<Sample> all() {
        return samples;
    }
}
