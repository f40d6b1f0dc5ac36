package io.marketetl.connector.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The credential fields of one {@link AuthType} and their generic validation: required fields present and not
 * blank, values passing their field's check, no field the type does not know. Problems read
 * {@code credentials.<field> <what is wrong>} and never quote a value. Immutable.
 */
public final class CredentialFields {

    /** A check of one value (present and not blank): null when fine, else what is wrong, e.g. "must be ...". */
    @FunctionalInterface
    public interface Check {
        String problem(String value);
    }

    /**
     * One field.
     *
     * @param required the field must be present
     * @param secret its value is secret (see {@link AuthType#secretValues})
     * @param mayBeEmpty an empty (or blank) value is allowed
     * @param check further check of a non-empty value, or null
     */
    public record Field(String name, boolean required, boolean secret, boolean mayBeEmpty, Check check) {

        /** A required secret field. */
        public static Field secret(String name) {
            return new Field(name, true, true, false, null);
        }

        /** A required field whose value is not secret. */
        public static Field notSecret(String name) {
            return new Field(name, true, false, false, null);
        }

        public Field optional() {
            return new Field(name, false, secret, mayBeEmpty, check);
        }

        public Field allowEmpty() {
            return new Field(name, required, secret, true, check);
        }

        public Field check(Check c) {
            return new Field(name, required, secret, mayBeEmpty, c);
        }
    }

    /** Values sent in a header: no control characters (a line break would inject headers). */
    public static final Check HEADER_VALUE = v -> {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "must not contain control characters (line breaks, tabs)";
            }
        }
        return null;
    };

    private final String typeName;
    private final List<Field> fields;

    /** The auth type's name, as stored in {@code api_connectors.auth_type}. */
    public String typeName() {
        return typeName;
    }

    public CredentialFields(String typeName, List<Field> fields) {
        this.typeName = typeName;
        this.fields = List.copyOf(fields);
    }

    /** The field names, in order. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Field f : fields) {
            names.add(f.name());
        }
        return Collections.unmodifiableSet(names);
    }

    /** Problems with these credentials (empty when none): fields in their order, then unknown fields by name. */
    public List<String> validate(Map<String, String> credentials) {
        Map<String, String> c = credentials == null ? Map.of() : credentials;
        List<String> problems = new ArrayList<>();
        for (Field f : fields) {
            String v = c.get(f.name());
            if (v == null) {
                if (f.required()) {
                    problems.add("credentials." + f.name() + " is required");
                }
                continue;
            }
            if (v.isBlank()) {
                if (!f.mayBeEmpty()) {
                    problems.add("credentials." + f.name() + " must not be blank");
                }
                continue;
            }
            String p = f.check() == null ? null : f.check().problem(v);
            if (p != null) {
                problems.add("credentials." + f.name() + " " + p);
            }
        }
        Set<String> known = names();
        Set<String> unknown = new TreeSet<>();
        for (String k : c.keySet()) {
            if (!known.contains(k)) {
                unknown.add(String.valueOf(k));
            }
        }
        for (String k : unknown) {
            problems.add("credentials." + k + " is not a field of " + typeName + (known.isEmpty()
                    ? " (" + typeName + " takes no credentials)" : " (fields: " + String.join(", ", known) + ")"));
        }
        return problems;
    }

    /** The credentials themselves (null as empty) when valid; else an IllegalArgumentException listing problems. */
    public Map<String, String> requireValid(Map<String, String> credentials, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid " + typeName + " credentials: " + String.join("; ", problems));
        }
        return credentials == null ? Map.of() : credentials;
    }

    /** Every non-empty value but those of known fields that are not secret (unknown fields count as secret). */
    public List<String> secretValues(Map<String, String> credentials) {
        List<String> out = new ArrayList<>();
        if (credentials == null) {
            return out;
        }
        for (Map.Entry<String, String> e : credentials.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            boolean notSecret = fields.stream().anyMatch(f -> f.name().equals(e.getKey()) && !f.secret());
            if (!notSecret) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return typeName + " credentials " + names();
    }
}
