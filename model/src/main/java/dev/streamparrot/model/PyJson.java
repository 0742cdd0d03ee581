package dev.streamparrot.model;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The subset of Python's json.dumps(indent=2, sort_keys=True) that HF's config files use. */
final class PyJson {
    private PyJson() {}

    static String write(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        value(sb, m, "");
        return sb.append('\n').toString();
    }

    private static void value(StringBuilder sb, Object v, String indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Double d) {
            sb.append(pyFloat(d));
        } else if (v instanceof Number num) {
            sb.append(num.longValue());
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof List<?> list) {
            String inner = indent + "  ";
            sb.append("[\n");
            for (int i = 0; i < list.size(); i++) {
                sb.append(inner);
                value(sb, list.get(i), inner);
                sb.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else if (v instanceof Map<?, ?> map) {
            String inner = indent + "  ";
            sb.append("{\n");
            List<Map.Entry<?, ?>> es = new ArrayList<>(map.entrySet());
            for (int i = 0; i < es.size(); i++) {
                sb.append(inner);
                string(sb, es.get(i).getKey().toString());
                sb.append(": ");
                value(sb, es.get(i).getValue(), inner);
                sb.append(i + 1 < es.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c)); // ensure_ascii=True
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Python's repr(float): shortest digits, exponent form below 1e-4 or from 1e16, e.g. 1e-05, 0.02, 1.0. */
    static String pyFloat(double d) {
        if (d == 0) {
            return "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 16) {
            String digits = bd.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        String plain = bd.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
