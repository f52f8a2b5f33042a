/*
 * config.c — the dedup configuration: a YAML file read with libyaml into a document, walked and
 * validated into an mt_config. Every error names the file and the line of the node at fault
 * ("dedup.yaml:7: unknown key 'rulez' (did you mean 'rules'?)"); columns are checked later,
 * against the inputs' schema, by mt_config_bind, with the same file:line form. Relative paths
 * (inputs, outputs) are resolved against the folder of the configuration file.
 *
 * The keys (docs/dedup.md is the user's reference):
 *   inputs (a path or a list), format, schema (types by column, as --schema), id, source,
 * timestamp, source_priority (a list), normalize (column -> list of normalizers), placeholders (a
 * list), rules (a list of {name, key}), fuzzy (a list of {name, block, field, method, threshold |
 * max_distance, max_block}), max_cluster, default_survivorship, fields (column -> survivorship),
 *   output {golden, mapping, summary, rejects}.
 * The same keys make the dedup section of a repository's sbd.yaml (mt_config_load_section):
 * lines are then sbd.yaml's, and paths relative to the repository.
 */
#include "match/match_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct cfg_parse {
  sbd_ctx *ctx;
  mt_config *cfg;
  yaml_document_t doc;
} cfg_parse;

static int line_of(const yaml_node_t *n) {
  return (int)n->start_mark.line + 1;
}

static sbd_status cfg_error(cfg_parse *p, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sbd_status cfg_error(cfg_parse *p, const yaml_node_t *n, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return sbd_error(p->ctx, SBD_EUSAGE, "%s:%d: %s", p->cfg->path, n ? line_of(n) : 1, msg);
}

static yaml_node_t *get(cfg_parse *p, int id) {
  return yaml_document_get_node(&p->doc, id);
}

static const char *scalar(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *const survive_names[] = {
    "most_recent", "first_non_null", "most_frequent", "max", "min", "longest", "union", "sum"};
#define NSURVIVE 8

const char *mt_survive_name(mt_survive how) {
  return survive_names[how];
}

/* Fails when a key of mapping n is not in known[0..nknown), suggesting the closest. */
static sbd_status check_keys(cfg_parse *p, yaml_node_t *n, const char *what,
                             const char *const *known, int nknown) {
  for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
    yaml_node_t *k = get(p, kv->key);
    const char *name = scalar(k);
    if (!name)
      return cfg_error(p, k, "%s: a key must be a plain name", what);
    for (yaml_node_pair_t *prev = n->data.mapping.pairs.start; prev < kv; prev++) {
      const char *pname = scalar(get(p, prev->key));
      if (pname && strcmp(pname, name) == 0)
        return cfg_error(p, k, "%s: key '%s' is given twice (also on line %d)", what, name,
                         line_of(get(p, prev->key)));
    }
    bool ok = false;
    for (int i = 0; i < nknown && !ok; i++)
      ok = strcmp(name, known[i]) == 0;
    if (ok)
      continue;
    const char *near = sbd_closest(name, known, nknown);
    if (near)
      return cfg_error(p, k, "%s: unknown key '%s' (did you mean '%s'?)", what, name, near);
    return cfg_error(p, k, "%s: unknown key '%s'", what, name);
  }
  return SBD_OK;
}

static sbd_status want_scalar(cfg_parse *p, yaml_node_t *n, const char *what, char **out) {
  const char *s = scalar(n);
  if (!s)
    return cfg_error(p, n, "%s must be a single value", what);
  *out = sbd_strdup(p->ctx, s);
  return *out ? SBD_OK : SBD_ENOMEM;
}

/* A scalar or a list of scalars. */
static sbd_status want_list(cfg_parse *p, yaml_node_t *n, const char *what, char ***out,
                            int *count) {
  *out = NULL;
  *count = 0;
  if (n->type == YAML_SCALAR_NODE) {
    *out = sbd_calloc(p->ctx, 1, sizeof(char *));
    if (!*out)
      return SBD_ENOMEM;
    *count = 1;
    return want_scalar(p, n, what, &(*out)[0]);
  }
  if (n->type != YAML_SEQUENCE_NODE)
    return cfg_error(p, n, "%s must be a value or a list of values", what);
  int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
  *out = sbd_calloc(p->ctx, (size_t)(len ? len : 1), sizeof(char *));
  if (!*out)
    return SBD_ENOMEM;
  for (int i = 0; i < len; i++) {
    RETURN_IF_ERROR(want_scalar(p, get(p, n->data.sequence.items.start[i]), what, &(*out)[i]));
    *count = i + 1;
  }
  return SBD_OK;
}

static sbd_status want_int(cfg_parse *p, yaml_node_t *n, const char *what, int64_t min, int64_t max,
                           int64_t *out) {
  const char *s = scalar(n);
  if (!s || !num_parse_int64(s, strlen(s), out) || *out < min || *out > max)
    return cfg_error(p, n, "%s must be an integer in %lld..%lld, not '%s'", what, (long long)min,
                     (long long)max, s ? s : "(a list or mapping)");
  return SBD_OK;
}

static sbd_status want_bool(cfg_parse *p, yaml_node_t *n, const char *what, bool *out) {
  const char *s = scalar(n);
  if (!s || !num_parse_bool(s, strlen(s), out))
    return cfg_error(p, n, "%s must be true or false, not '%s'", what, s ? s : "(a list)");
  return SBD_OK;
}

static sbd_status want_survive(cfg_parse *p, yaml_node_t *n, const char *what, mt_survive *out) {
  const char *s = scalar(n);
  for (int i = 0; s && i < NSURVIVE; i++) {
    if (strcmp(s, survive_names[i]) == 0) {
      *out = (mt_survive)i;
      return SBD_OK;
    }
  }
  const char *near = s ? sbd_closest(s, survive_names, NSURVIVE) : NULL;
  if (near)
    return cfg_error(p, n, "%s: unknown survivorship '%s' (did you mean '%s'?)", what, s, near);
  return cfg_error(p, n,
                   "%s: unknown survivorship '%s' (one of most_recent, first_non_null, "
                   "most_frequent, max, min, longest, union, sum)",
                   what, s ? s : "(a list)");
}

/* A path resolved against the configuration's folder. */
static char *resolve(cfg_parse *p, const char *path) {
  if (path[0] == '/' || strcmp(path, "-") == 0 || !p->cfg->dir[0])
    return sbd_strdup(p->ctx, path);
  size_t n = strlen(p->cfg->dir) + strlen(path) + 2;
  char *r = sbd_malloc(p->ctx, n);
  if (r)
    snprintf(r, n, "%s/%s", p->cfg->dir, path);
  return r;
}

static const char *const norm_names[] = {
    "trim", "lowercase", "collapse_whitespace", "strip_accents", "email", "phone", "sql"};
#define NNORM 7

static sbd_status parse_norm(cfg_parse *p, yaml_node_t *n, const char *column, mt_norm *out) {
  memset(out, 0, sizeof(*out));
  yaml_node_t *opts = NULL;
  const char *name = scalar(n);
  yaml_node_t *name_node = n;
  if (!name && n->type == YAML_MAPPING_NODE &&
      n->data.mapping.pairs.top - n->data.mapping.pairs.start == 1) {
    name_node = get(p, n->data.mapping.pairs.start[0].key);
    name = scalar(name_node);
    opts = get(p, n->data.mapping.pairs.start[0].value);
  }
  if (!name)
    return cfg_error(p, n, "normalize '%s': a normalizer is a name or {name: {options}}", column);
  int kind = -1;
  for (int i = 0; i < NNORM; i++)
    if (strcmp(name, norm_names[i]) == 0)
      kind = i;
  if (kind < 0) {
    const char *near = sbd_closest(name, norm_names, NNORM);
    if (near)
      return cfg_error(p, name_node, "normalize '%s': unknown normalizer '%s' (did you mean '%s'?)",
                       column, name, near);
    return cfg_error(p, name_node,
                     "normalize '%s': unknown normalizer '%s' (one of trim, lowercase, "
                     "collapse_whitespace, strip_accents, email, phone, sql)",
                     column, name);
  }
  out->kind = (mt_norm_kind)kind;
  if (out->kind == MT_NORM_SQL) {
    const char *e = scalar(opts);
    out->line = line_of(name_node);
    if (!e || !*e)
      return cfg_error(p, opts ? opts : name_node,
                       "normalize '%s': sql needs an expression (sql: \"lower(%s)\")", column,
                       column);
    RETURN_ERROR_IF(strlen(e) > 65536, p->ctx, SBD_EUSAGE,
                    "%s:%d: normalize '%s': the SQL expression is longer than 65536 bytes",
                    p->cfg->path, out->line, column);
    out->sql = sbd_strdup(p->ctx, e);
    return out->sql ? SBD_OK : SBD_ENOMEM;
  }
  bool has_opts = opts && !(opts->type == YAML_SCALAR_NODE && !*scalar(opts));
  if (!has_opts)
    return SBD_OK;
  if (opts->type != YAML_MAPPING_NODE)
    return cfg_error(p, opts, "normalize '%s': the options of '%s' must be a mapping", column,
                     name);
  char what[160];
  snprintf(what, sizeof(what), "normalize '%s': %s", column, name);
  if (out->kind == MT_NORM_EMAIL) {
    static const char *const known[] = {"strip_plus", "gmail_dots"};
    RETURN_IF_ERROR(check_keys(p, opts, what, known, 2));
  } else if (out->kind == MT_NORM_PHONE) {
    static const char *const known[] = {"country"};
    RETURN_IF_ERROR(check_keys(p, opts, what, known, 1));
  } else {
    return cfg_error(p, opts, "%s takes no options", what);
  }
  for (yaml_node_pair_t *kv = opts->data.mapping.pairs.start; kv < opts->data.mapping.pairs.top;
       kv++) {
    const char *k = scalar(get(p, kv->key));
    yaml_node_t *v = get(p, kv->value);
    if (strcmp(k, "strip_plus") == 0) {
      RETURN_IF_ERROR(want_bool(p, v, "strip_plus", &out->strip_plus));
    } else if (strcmp(k, "gmail_dots") == 0) {
      RETURN_IF_ERROR(want_bool(p, v, "gmail_dots", &out->gmail_dots));
    } else {
      int64_t cc;
      RETURN_IF_ERROR(want_int(p, v, "country", 1, 999, &cc));
      out->country = (int)cc;
    }
  }
  return SBD_OK;
}

static sbd_status parse_normalize(cfg_parse *p, yaml_node_t *n) {
  if (n->type != YAML_MAPPING_NODE)
    return cfg_error(p, n, "normalize must map columns to lists of normalizers");
  mt_config *c = p->cfg;
  int len = (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
  c->norms = sbd_calloc(p->ctx, (size_t)(len ? len : 1), sizeof(mt_column_norm));
  if (!c->norms)
    return SBD_ENOMEM;
  for (int i = 0; i < len; i++) {
    yaml_node_pair_t *kv = &n->data.mapping.pairs.start[i];
    yaml_node_t *k = get(p, kv->key), *v = get(p, kv->value);
    mt_column_norm *cn = &c->norms[c->nnorms++];
    cn->line = line_of(k);
    cn->sql = -1;
    RETURN_IF_ERROR(want_scalar(p, k, "a normalized column", &cn->column));
    if (v->type == YAML_SEQUENCE_NODE) {
      int m = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
      cn->steps = sbd_calloc(p->ctx, (size_t)(m ? m : 1), sizeof(mt_norm));
      if (!cn->steps)
        return SBD_ENOMEM;
      for (int j = 0; j < m; j++) {
        RETURN_IF_ERROR(
            parse_norm(p, get(p, v->data.sequence.items.start[j]), cn->column, &cn->steps[j]));
        cn->nsteps = j + 1;
      }
    } else {
      cn->steps = sbd_calloc(p->ctx, 1, sizeof(mt_norm));
      if (!cn->steps)
        return SBD_ENOMEM;
      RETURN_IF_ERROR(parse_norm(p, v, cn->column, &cn->steps[0]));
      cn->nsteps = 1;
    }
    for (int j = 1; j < cn->nsteps; j++)
      RETURN_ERROR_IF(cn->steps[j].kind == MT_NORM_SQL, p->ctx, SBD_EUSAGE,
                      "%s:%d: normalize '%s': sql must be the first normalizer of a column (it "
                      "reads the record's columns, not the value before it)",
                      c->path, cn->steps[j].line, cn->column);
    if (cn->nsteps > 0 && cn->steps[0].kind == MT_NORM_SQL)
      cn->sql = c->nsql++;
  }
  return SBD_OK;
}

static sbd_status parse_rules(cfg_parse *p, yaml_node_t *n) {
  if (n->type != YAML_SEQUENCE_NODE)
    return cfg_error(p, n, "rules must be a list of {name, key}");
  mt_config *c = p->cfg;
  int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
  c->rules = sbd_calloc(p->ctx, (size_t)(len ? len : 1), sizeof(mt_rule));
  if (!c->rules)
    return SBD_ENOMEM;
  static const char *const known[] = {"name", "key"};
  for (int i = 0; i < len; i++) {
    yaml_node_t *r = get(p, n->data.sequence.items.start[i]);
    mt_rule *rule = &c->rules[c->nrules++];
    rule->line = line_of(r);
    if (r->type != YAML_MAPPING_NODE)
      return cfg_error(p, r, "a rule must be a mapping {name, key}");
    RETURN_IF_ERROR(check_keys(p, r, "rule", known, 2));
    for (yaml_node_pair_t *kv = r->data.mapping.pairs.start; kv < r->data.mapping.pairs.top; kv++) {
      const char *k = scalar(get(p, kv->key));
      yaml_node_t *v = get(p, kv->value);
      if (strcmp(k, "name") == 0)
        RETURN_IF_ERROR(want_scalar(p, v, "rule name", &rule->name));
      else
        RETURN_IF_ERROR(want_list(p, v, "rule key", &rule->columns, &rule->ncols));
    }
    if (!rule->columns || rule->ncols == 0)
      return cfg_error(p, r, "rule '%s' has no key", rule->name ? rule->name : "");
    if (!rule->name) {
      /* Unnamed rules are named after their columns, "last_name+birth_date". */
      mt_buf b = {0};
      for (int j = 0; j < rule->ncols; j++)
        if ((j && !mt_buf_addc(&b, '+')) ||
            !mt_buf_add(&b, rule->columns[j], strlen(rule->columns[j]))) {
          mt_buf_free(&b);
          return sbd_error(p->ctx, SBD_ENOMEM, "out of memory");
        }
      rule->name = b.p;
    }
  }
  return SBD_OK;
}

static sbd_status parse_fuzzy(cfg_parse *p, yaml_node_t *n) {
  if (n->type != YAML_SEQUENCE_NODE)
    return cfg_error(p, n, "fuzzy must be a list of {name, block, field, method, ...}");
  mt_config *c = p->cfg;
  int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
  c->fuzzy = sbd_calloc(p->ctx, (size_t)(len ? len : 1), sizeof(mt_fuzzy));
  if (!c->fuzzy)
    return SBD_ENOMEM;
  static const char *const known[] = {"name",      "block",        "field",    "method",
                                      "threshold", "max_distance", "max_block"};
  static const char *const methods[] = {"jaro_winkler", "levenshtein"};
  for (int i = 0; i < len; i++) {
    yaml_node_t *r = get(p, n->data.sequence.items.start[i]);
    mt_fuzzy *f = &c->fuzzy[c->nfuzzy++];
    f->line = line_of(r);
    f->method = MT_JARO_WINKLER;
    f->threshold = -1;
    f->max_distance = -1;
    f->max_block = 1000;
    if (r->type != YAML_MAPPING_NODE)
      return cfg_error(p, r, "a fuzzy rule must be a mapping {name, block, field, method, ...}");
    RETURN_IF_ERROR(check_keys(p, r, "fuzzy rule", known, 7));
    for (yaml_node_pair_t *kv = r->data.mapping.pairs.start; kv < r->data.mapping.pairs.top; kv++) {
      const char *k = scalar(get(p, kv->key));
      yaml_node_t *v = get(p, kv->value);
      if (strcmp(k, "name") == 0) {
        RETURN_IF_ERROR(want_scalar(p, v, "fuzzy rule name", &f->name));
      } else if (strcmp(k, "block") == 0) {
        RETURN_IF_ERROR(want_list(p, v, "fuzzy block", &f->block, &f->nblock));
      } else if (strcmp(k, "field") == 0) {
        RETURN_IF_ERROR(want_scalar(p, v, "fuzzy field", &f->field));
      } else if (strcmp(k, "method") == 0) {
        const char *s = scalar(v);
        if (s && strcmp(s, methods[0]) == 0) {
          f->method = MT_JARO_WINKLER;
        } else if (s && strcmp(s, methods[1]) == 0) {
          f->method = MT_LEVENSHTEIN;
        } else {
          const char *near = s ? sbd_closest(s, methods, 2) : NULL;
          if (near)
            return cfg_error(p, v, "unknown fuzzy method '%s' (did you mean '%s'?)", s, near);
          return cfg_error(p, v, "unknown fuzzy method '%s' (jaro_winkler or levenshtein)",
                           s ? s : "(a list)");
        }
      } else if (strcmp(k, "threshold") == 0) {
        const char *s = scalar(v);
        if (!s || !num_parse_double(s, strlen(s), &f->threshold) || !(f->threshold >= 0) ||
            f->threshold > 1)
          return cfg_error(p, v, "threshold must be a number in 0..1, not '%s'",
                           s ? s : "(a list)");
      } else if (strcmp(k, "max_distance") == 0) {
        int64_t d;
        RETURN_IF_ERROR(want_int(p, v, "max_distance", 0, 16, &d));
        f->max_distance = (int)d;
      } else {
        RETURN_IF_ERROR(want_int(p, v, "max_block", 2, 1000000, &f->max_block));
      }
    }
    if (!f->block || !f->field)
      return cfg_error(p, r, "fuzzy rule '%s' needs a block and a field", f->name ? f->name : "");
    if (!f->name) {
      f->name = sbd_strdup(p->ctx, f->field);
      if (!f->name)
        return SBD_ENOMEM;
    }
    if (f->method == MT_JARO_WINKLER && f->max_distance >= 0)
      return cfg_error(p, r,
                       "fuzzy rule '%s': max_distance is for levenshtein; jaro_winkler takes "
                       "a threshold",
                       f->name);
    if (f->method == MT_LEVENSHTEIN && f->threshold >= 0)
      return cfg_error(p, r,
                       "fuzzy rule '%s': threshold is for jaro_winkler; levenshtein takes "
                       "a max_distance",
                       f->name);
    if (f->method == MT_JARO_WINKLER && f->threshold < 0)
      f->threshold = 0.9;
    if (f->method == MT_LEVENSHTEIN && f->max_distance < 0)
      f->max_distance = 1;
  }
  return SBD_OK;
}

static sbd_status parse_fields(cfg_parse *p, yaml_node_t *n) {
  if (n->type != YAML_MAPPING_NODE)
    return cfg_error(p, n, "fields must map columns to survivorship rules");
  mt_config *c = p->cfg;
  int len = (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
  c->fields = sbd_calloc(p->ctx, (size_t)(len ? len : 1), sizeof(mt_field_rule));
  if (!c->fields)
    return SBD_ENOMEM;
  for (int i = 0; i < len; i++) {
    yaml_node_pair_t *kv = &n->data.mapping.pairs.start[i];
    yaml_node_t *k = get(p, kv->key);
    mt_field_rule *fr = &c->fields[c->nfields++];
    fr->line = line_of(k);
    RETURN_IF_ERROR(want_scalar(p, k, "a field", &fr->column));
    char what[160];
    snprintf(what, sizeof(what), "field '%s'", fr->column);
    RETURN_IF_ERROR(want_survive(p, get(p, kv->value), what, &fr->how));
  }
  return SBD_OK;
}

static sbd_status parse_output(cfg_parse *p, yaml_node_t *n) {
  if (n->type != YAML_MAPPING_NODE)
    return cfg_error(p, n, "output must be a mapping {golden, mapping, summary, rejects}");
  static const char *const known[] = {"golden", "mapping", "summary", "rejects"};
  RETURN_IF_ERROR(check_keys(p, n, "output", known, 4));
  mt_config *c = p->cfg;
  for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
    const char *k = scalar(get(p, kv->key));
    yaml_node_t *v = get(p, kv->value);
    char *raw = NULL;
    RETURN_IF_ERROR(want_scalar(p, v, k, &raw));
    char *path = resolve(p, raw);
    free(raw);
    if (!path)
      return SBD_ENOMEM;
    char **slot = strcmp(k, "golden") == 0    ? &c->out_golden
                  : strcmp(k, "mapping") == 0 ? &c->out_mapping
                  : strcmp(k, "summary") == 0 ? &c->out_summary
                                              : &c->out_rejects;
    free(*slot);
    *slot = path;
  }
  if (!c->out_golden || !c->out_mapping)
    return cfg_error(p, n, "output needs golden and mapping paths");
  return SBD_OK;
}

static sbd_status parse_root(cfg_parse *p, yaml_node_t *root) {
  static const char *const known[] = {"inputs",
                                      "format",
                                      "schema",
                                      "id",
                                      "source",
                                      "timestamp",
                                      "source_priority",
                                      "normalize",
                                      "placeholders",
                                      "rules",
                                      "fuzzy",
                                      "max_cluster",
                                      "default_survivorship",
                                      "fields",
                                      "output"};
  mt_config *c = p->cfg;
  if (!root || root->type != YAML_MAPPING_NODE)
    return cfg_error(p, root, "the configuration must be a mapping of keys (inputs, rules, ...)");
  RETURN_IF_ERROR(check_keys(p, root, "dedup configuration", known, 15));
  yaml_node_t *output = NULL;
  for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top;
       kv++) {
    yaml_node_t *kn = get(p, kv->key), *v = get(p, kv->value);
    const char *k = scalar(kn);
    if (strcmp(k, "inputs") == 0) {
      c->inputs_line = line_of(v);
      /* Straight into the configuration, so that what a failure leaves is freed with it. */
      RETURN_IF_ERROR(want_list(p, v, "inputs", &c->inputs, &c->ninputs));
      for (int i = 0; i < c->ninputs; i++) {
        char *r = resolve(p, c->inputs[i]);
        if (!r)
          return SBD_ENOMEM;
        free(c->inputs[i]);
        c->inputs[i] = r;
      }
    } else if (strcmp(k, "format") == 0) {
      RETURN_IF_ERROR(want_scalar(p, v, "format", &c->format));
    } else if (strcmp(k, "schema") == 0) {
      RETURN_IF_ERROR(want_scalar(p, v, "schema", &c->schema));
    } else if (strcmp(k, "id") == 0) {
      c->id_line = line_of(v);
      RETURN_IF_ERROR(want_scalar(p, v, "id", &c->id_col));
    } else if (strcmp(k, "source") == 0) {
      c->source_line = line_of(v);
      RETURN_IF_ERROR(want_scalar(p, v, "source", &c->source_col));
    } else if (strcmp(k, "timestamp") == 0) {
      c->ts_line = line_of(v);
      RETURN_IF_ERROR(want_scalar(p, v, "timestamp", &c->ts_col));
    } else if (strcmp(k, "source_priority") == 0) {
      RETURN_IF_ERROR(
          want_list(p, v, "source_priority", &c->source_priority, &c->nsource_priority));
    } else if (strcmp(k, "normalize") == 0) {
      RETURN_IF_ERROR(parse_normalize(p, v));
    } else if (strcmp(k, "placeholders") == 0) {
      RETURN_IF_ERROR(want_list(p, v, "placeholders", &c->placeholders, &c->nplaceholders));
    } else if (strcmp(k, "rules") == 0) {
      RETURN_IF_ERROR(parse_rules(p, v));
    } else if (strcmp(k, "fuzzy") == 0) {
      RETURN_IF_ERROR(parse_fuzzy(p, v));
    } else if (strcmp(k, "max_cluster") == 0) {
      RETURN_IF_ERROR(want_int(p, v, "max_cluster", 2, INT64_MAX, &c->max_cluster));
    } else if (strcmp(k, "default_survivorship") == 0) {
      RETURN_IF_ERROR(want_survive(p, v, "default_survivorship", &c->default_how));
    } else if (strcmp(k, "fields") == 0) {
      RETURN_IF_ERROR(parse_fields(p, v));
    } else {
      output = v;
      RETURN_IF_ERROR(parse_output(p, v));
    }
  }
  if (!c->inputs)
    return cfg_error(p, root, "the configuration needs inputs (a path, a glob or a list)");
  if (c->nrules == 0 && c->nfuzzy == 0)
    return cfg_error(p, root, "the configuration needs rules (or fuzzy rules) to match on");
  if (!output)
    return cfg_error(p, root, "the configuration needs an output {golden, mapping}");
  if (c->source_priority && !c->source_col)
    return cfg_error(p, root, "source_priority needs a source column (key 'source')");
  return SBD_OK;
}

/* The value of key in the root mapping of the document, or NULL. */
static yaml_node_t *section_of(cfg_parse *p, const char *key) {
  yaml_node_t *root = yaml_document_get_root_node(&p->doc);
  if (!root || root->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top;
       kv++) {
    const char *k = scalar(get(p, kv->key));
    if (k && strcmp(k, key) == 0)
      return get(p, kv->value);
  }
  return NULL;
}

/* Loads the configuration from the root of path, or from its section (a key of the root). */
static sbd_status load(sbd_ctx *ctx, const char *path, const char *section, mt_config **out) {
  *out = NULL;
  mt_config *c = sbd_calloc(ctx, 1, sizeof(*c));
  if (!c)
    return SBD_ENOMEM;
  c->max_cluster = 1000;
  c->default_how = MT_MOST_RECENT;
  c->id_idx = c->source_idx = c->ts_idx = -1;
  c->path = sbd_strdup(ctx, path);
  const char *slash = strrchr(path, '/');
  c->dir = slash ? sbd_strndup(ctx, path, (size_t)(slash - path)) : sbd_strdup(ctx, "");
  if (!c->path || !c->dir) {
    mt_config_free(c);
    return SBD_ENOMEM;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    sbd_status st = sbd_error(ctx, errno == ENOENT ? SBD_ENOTFOUND : SBD_EIO, "%s: cannot open: %s",
                              path, strerror(errno));
    mt_config_free(c);
    return st;
  }
  cfg_parse p;
  memset(&p, 0, sizeof(p));
  p.ctx = ctx;
  p.cfg = c;
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  sbd_status st = SBD_OK;
  if (!yaml_parser_load(&parser, &p.doc)) {
    st = sbd_error(ctx, SBD_EUSAGE, "%s:%d: YAML: %s", path, (int)parser.problem_mark.line + 1,
                   parser.problem ? parser.problem : "cannot parse");
    yaml_parser_delete(&parser);
    fclose(f);
    mt_config_free(c);
    return st;
  }
  yaml_parser_delete(&parser);
  fclose(f);
  yaml_node_t *root = yaml_document_get_root_node(&p.doc);
  if (section) {
    root = section_of(&p, section);
    if (!root)
      st = sbd_error(ctx, SBD_EUSAGE, "%s: no %s section", path, section);
  }
  if (st == SBD_OK)
    st = parse_root(&p, root);
  yaml_document_delete(&p.doc);
  if (st != SBD_OK) {
    mt_config_free(c);
    return st;
  }
  *out = c;
  return SBD_OK;
}

sbd_status mt_config_load(sbd_ctx *ctx, const char *path, mt_config **out) {
  return load(ctx, path, NULL, out);
}

sbd_status mt_config_load_section(sbd_ctx *ctx, const char *path, const char *section,
                                  mt_config **out) {
  return load(ctx, path, section, out);
}

/* ---- binding to the inputs' columns ----------------------------------------------------------*/

static sbd_status find_col(sbd_ctx *ctx, const mt_config *c, const sbd_schema *schema,
                           const char *name, int line, const char *what, int *out) {
  *out = sbd_schema_find(schema, name);
  if (*out >= 0)
    return SBD_OK;
  const char *names[256];
  int n = schema->ncols < 256 ? schema->ncols : 256;
  for (int i = 0; i < n; i++)
    names[i] = schema->fields[i].name;
  const char *near = sbd_closest(name, names, n);
  if (near)
    return sbd_error(ctx, SBD_EUSAGE,
                     "%s:%d: %s: no column '%s' in the inputs (did you mean '%s'?)", c->path, line,
                     what, name, near);
  return sbd_error(ctx, SBD_EUSAGE, "%s:%d: %s: no column '%s' in the inputs", c->path, line, what,
                   name);
}

sbd_status mt_config_bind(sbd_ctx *ctx, mt_config *c, const sbd_schema *schema) {
  if (c->id_col)
    RETURN_IF_ERROR(find_col(ctx, c, schema, c->id_col, c->id_line, "id", &c->id_idx));
  if (c->source_col)
    RETURN_IF_ERROR(
        find_col(ctx, c, schema, c->source_col, c->source_line, "source", &c->source_idx));
  if (c->ts_col) {
    RETURN_IF_ERROR(find_col(ctx, c, schema, c->ts_col, c->ts_line, "timestamp", &c->ts_idx));
    sbd_type t = schema->fields[c->ts_idx].type;
    RETURN_ERROR_IF(t != SBD_TIMESTAMP && t != SBD_DATE && t != SBD_INT64 && t != SBD_DOUBLE, ctx,
                    SBD_EUSAGE,
                    "%s:%d: timestamp: column '%s' is %s; a TIMESTAMP, DATE or number is needed",
                    c->path, c->ts_line, c->ts_col, sbd_type_name(t));
  }
  free(c->how);
  free(c->norm);
  c->how = sbd_calloc(ctx, (size_t)schema->ncols + 1, sizeof(mt_survive));
  c->norm = sbd_calloc(ctx, (size_t)schema->ncols + 1, sizeof(mt_column_norm *));
  if (!c->how || !c->norm)
    return SBD_ENOMEM;
  for (int i = 0; i < schema->ncols; i++)
    c->how[i] = c->default_how;
  for (int i = 0; i < c->nnorms; i++) {
    mt_column_norm *cn = &c->norms[i];
    RETURN_IF_ERROR(find_col(ctx, c, schema, cn->column, cn->line, "normalize", &cn->col));
    c->norm[cn->col] = cn;
  }
  for (int i = 0; i < c->nrules; i++) {
    mt_rule *r = &c->rules[i];
    char what[160];
    snprintf(what, sizeof(what), "rule '%s'", r->name);
    r->cols = sbd_calloc(ctx, (size_t)r->ncols, sizeof(int));
    if (!r->cols)
      return SBD_ENOMEM;
    for (int j = 0; j < r->ncols; j++)
      RETURN_IF_ERROR(find_col(ctx, c, schema, r->columns[j], r->line, what, &r->cols[j]));
  }
  for (int i = 0; i < c->nfuzzy; i++) {
    mt_fuzzy *f = &c->fuzzy[i];
    char what[160];
    snprintf(what, sizeof(what), "fuzzy rule '%s'", f->name);
    f->block_cols = sbd_calloc(ctx, (size_t)f->nblock, sizeof(int));
    if (!f->block_cols)
      return SBD_ENOMEM;
    for (int j = 0; j < f->nblock; j++)
      RETURN_IF_ERROR(find_col(ctx, c, schema, f->block[j], f->line, what, &f->block_cols[j]));
    RETURN_IF_ERROR(find_col(ctx, c, schema, f->field, f->line, what, &f->field_col));
  }
  for (int i = 0; i < c->nfields; i++) {
    mt_field_rule *fr = &c->fields[i];
    int col;
    RETURN_IF_ERROR(find_col(ctx, c, schema, fr->column, fr->line, "fields", &col));
    sbd_type t = schema->fields[col].type;
    RETURN_ERROR_IF(fr->how == MT_SUM && t != SBD_INT64 && t != SBD_DOUBLE, ctx, SBD_EUSAGE,
                    "%s:%d: field '%s': sum needs a number column, and '%s' is %s", c->path,
                    fr->line, fr->column, fr->column, sbd_type_name(t));
    c->how[col] = fr->how;
  }
  return SBD_OK;
}

static void free_list(char **l, int n) {
  for (int i = 0; i < n; i++)
    free(l[i]);
  free(l);
}

void mt_config_free(mt_config *c) {
  if (!c)
    return;
  free(c->path);
  free(c->dir);
  free_list(c->inputs, c->ninputs);
  free(c->format);
  free(c->schema);
  free(c->id_col);
  free(c->source_col);
  free(c->ts_col);
  free_list(c->source_priority, c->nsource_priority);
  for (int i = 0; i < c->nnorms; i++) {
    free(c->norms[i].column);
    for (int j = 0; j < c->norms[i].nsteps; j++)
      free(c->norms[i].steps[j].sql);
    free(c->norms[i].steps);
  }
  free(c->norms);
  free_list(c->placeholders, c->nplaceholders);
  for (int i = 0; i < c->nrules; i++) {
    free(c->rules[i].name);
    free_list(c->rules[i].columns, c->rules[i].ncols);
    free(c->rules[i].cols);
  }
  free(c->rules);
  for (int i = 0; i < c->nfuzzy; i++) {
    free(c->fuzzy[i].name);
    free_list(c->fuzzy[i].block, c->fuzzy[i].nblock);
    free(c->fuzzy[i].block_cols);
    free(c->fuzzy[i].field);
  }
  free(c->fuzzy);
  for (int i = 0; i < c->nfields; i++)
    free(c->fields[i].column);
  free(c->fields);
  free(c->out_golden);
  free(c->out_mapping);
  free(c->out_summary);
  free(c->out_rejects);
  free(c->how);
  free(c->norm);
  free(c);
}
