/*
 * get.c — retrieval of a feature set (sbd get, sbd_repo_get). The request's words become one SQL
 * query over the versions' Parquet files:
 *   SELECT t0.id, t0."distance", t1."n_orders" FROM "customer@3" t0
 *     LEFT JOIN "customer_orders@2" t1 USING (id) WHERE (age >= 30) ORDER BY id
 * Selection: each --features item is a name or a glob (fnmatch), GROUP:ITEM for another group;
 * no item means every feature of the main group. Features matching an --exclude glob are dropped
 * unless an item named them exactly. The key comes first, always. Filters are ANDed and may use
 * any feature of the groups involved, returned or not (the FROM holds every column). Other
 * groups are joined to the main one with LEFT JOIN on its key columns, which they must have.
 * A request for part K reads the main group from its part-K.parquet alone (the table
 * "GROUP@N/part-K", which no user query can name since it is registered for this query only);
 * the parts are consecutive key ranges, so the parts' results, in order, are the whole result.
 */
#include "store/store_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define GET_MAX_GROUPS 16

typedef struct get_group {
  const st_group *g;
  int64_t version;
  sbd_reader *probe; /* a planned, unread SELECT * of the version: its schema */
  const sbd_schema *schema;
} get_group;

static bool has_glob(const char *s) {
  return strpbrk(s, "*?[") != NULL;
}

static bool is_key(const st_group *g, const char *name) {
  for (int k = 0; k < g->nkeys; k++)
    if (strcasecmp(g->keys[k], name) == 0)
      return true;
  return false;
}

static sbd_status open_group(sbd_repo *r, const char *name, int64_t version, get_group *out) {
  memset(out, 0, sizeof(*out));
  const st_group *g = st_config_group(r->cfg, name);
  if (!g)
    return st_unknown_group(r, name);
  int64_t v = version;
  if (v == 0) {
    RETURN_IF_ERROR(st_latest_version(r->ctx, r->db, g->name, &v));
    if (v == 0)
      return sbd_error(r->ctx, SBD_ENOTFOUND,
                       "group '%s' has no version yet: run 'sbd calculate %s'", g->name, g->name);
  } else {
    bool exists;
    RETURN_IF_ERROR(st_version_exists(r->ctx, r->db, g->name, v, &exists));
    if (!exists)
      return sbd_error(r->ctx, SBD_ENOTFOUND,
                       "group '%s' has no version %lld (see 'sbd versions %s')", g->name,
                       (long long)v, g->name);
  }
  char sql[256];
  snprintf(sql, sizeof(sql), "SELECT * FROM \"%s@%lld\"", g->name, (long long)v);
  RETURN_IF_ERROR(st_repo_sql(r, sql, &out->probe));
  out->g = g;
  out->version = v;
  out->schema = sbd_reader_schema(out->probe);
  return SBD_OK;
}

/* The number of parts of a registered version: part-0 .. part-(n-1) are there. */
static sbd_status count_parts(sbd_repo *r, const char *group, int64_t version, int64_t *nparts) {
  *nparts = 0;
  for (;;) {
    char *path = st_version_part(r, group, version, *nparts);
    if (!path)
      return SBD_ENOMEM;
    struct stat sb;
    int rc = stat(path, &sb);
    free(path);
    if (rc != 0)
      break;
    ++*nparts;
  }
  if (*nparts == 0)
    return sbd_error(r->ctx, SBD_EIO, "group '%s' version %lld: no part-0.parquet in the store",
                     group, (long long)version);
  return SBD_OK;
}

sbd_status sbd_repo_parts(sbd_repo *r, const char *group, int64_t version, int64_t *version_out,
                          int64_t *nparts) {
  *version_out = *nparts = 0;
  if (!group)
    return sbd_error(r->ctx, SBD_EUSAGE, "parts needs a group");
  if (version < 0)
    return sbd_error(r->ctx, SBD_EUSAGE, "version %lld: versions start at 1", (long long)version);
  get_group gg;
  RETURN_IF_ERROR(open_group(r, group, version, &gg));
  sbd_reader_close(gg.probe);
  RETURN_IF_ERROR(count_parts(r, gg.g->name, gg.version, nparts));
  *version_out = gg.version;
  return SBD_OK;
}

/* A selected feature: group index and column name (borrowed from the probe's schema). */
typedef struct pick {
  int group;
  const char *name;
  bool explicit_name;
} pick;

sbd_status sbd_repo_get(sbd_repo *r, const sbd_get_request *req, sbd_reader **out) {
  *out = NULL;
  sbd_ctx *ctx = r->ctx;
  if (!req->group)
    return sbd_error(ctx, SBD_EUSAGE, "get needs a group");
  if (req->version < 0)
    return sbd_error(ctx, SBD_EUSAGE, "version %lld: versions start at 1", (long long)req->version);
  get_group groups[GET_MAX_GROUPS];
  int ngroups = 0;
  pick *picks = NULL;
  int npicks = 0, cap = 0;
  st_text t = {0};
  sbd_status st = open_group(r, req->group, req->version, &groups[0]);
  if (st == SBD_OK)
    ngroups = 1;
  /* Items: the group of each, then its matches. */
  int nitems = req->nfeatures;
  for (int i = 0; i < (nitems ? nitems : 1) && st == SBD_OK; i++) {
    const char *item = nitems ? req->features[i] : "*";
    const char *colon = strchr(item, ':');
    int gi = 0;
    const char *pattern = item;
    if (colon) {
      char gname[ST_MAX_NAME + 1];
      size_t len = (size_t)(colon - item);
      snprintf(gname, sizeof(gname), "%.*s", (int)(len <= ST_MAX_NAME ? len : ST_MAX_NAME), item);
      pattern = colon + 1;
      gi = -1;
      for (int k = 0; k < ngroups && gi < 0; k++)
        if (strcasecmp(groups[k].g->name, gname) == 0)
          gi = k;
      if (gi < 0) {
        if (ngroups == GET_MAX_GROUPS) {
          st = sbd_error(ctx, SBD_ELIMIT, "features from more than %d groups", GET_MAX_GROUPS);
          break;
        }
        st = open_group(r, gname, 0, &groups[ngroups]);
        if (st != SBD_OK)
          break;
        gi = ngroups++;
        for (int k = 0; k < groups[0].g->nkeys && st == SBD_OK; k++)
          if (sbd_schema_find(groups[gi].schema, groups[0].g->keys[k]) < 0)
            st = sbd_error(ctx, SBD_EINPUT,
                           "group '%s' has no column '%s', the key of '%s': it cannot be joined",
                           groups[gi].g->name, groups[0].g->keys[k], groups[0].g->name);
        if (st != SBD_OK)
          break;
      }
    }
    const get_group *gg = &groups[gi];
    bool glob = has_glob(pattern), any = false;
    for (int c = 0; c < sbd_schema_ncols(gg->schema) && st == SBD_OK; c++) {
      const char *name = sbd_schema_name(gg->schema, c);
      if (is_key(gg->g, name) || (gi && is_key(groups[0].g, name)))
        continue;
      if (glob ? fnmatch(pattern, name, 0) != 0 : strcasecmp(pattern, name) != 0)
        continue;
      any = true;
      bool dup = false;
      for (int k = 0; k < npicks; k++)
        if (strcasecmp(picks[k].name, name) == 0) {
          if (picks[k].group != gi)
            st = sbd_error(ctx, SBD_EINPUT,
                           "feature '%s' is selected from two groups ('%s' and '%s')", name,
                           groups[picks[k].group].g->name, gg->g->name);
          picks[k].explicit_name = picks[k].explicit_name || !glob;
          dup = true;
        }
      if (dup || st != SBD_OK)
        continue;
      if (npicks == cap) {
        cap = cap * 2 + 16;
        pick *p = sbd_realloc(ctx, picks, sizeof(*p) * (size_t)cap);
        if (!p) {
          st = SBD_ENOMEM;
          break;
        }
        picks = p;
      }
      picks[npicks++] = (pick){gi, name, !glob};
    }
    if (st == SBD_OK && !any && !glob) {
      const char *names[1024];
      int n = 0;
      for (int c = 0; c < sbd_schema_ncols(gg->schema) && n < 1024; c++)
        if (!is_key(gg->g, sbd_schema_name(gg->schema, c)))
          names[n++] = sbd_schema_name(gg->schema, c);
      const char *near = sbd_closest(pattern, names, n);
      st = sbd_error(ctx, SBD_ENOTFOUND, "group '%s' has no feature '%s'%s%s%s", gg->g->name,
                     pattern, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
  }
  /* The key first, then the picks that no exclude drops. */
  if (st == SBD_OK) {
    st_text_add(&t, "SELECT ");
    for (int k = 0; k < groups[0].g->nkeys; k++)
      st_text_add(&t, "%s\"%s\"", k ? ", " : "", groups[0].g->keys[k]);
    for (int i = 0; i < npicks; i++) {
      bool drop = false;
      for (int e = 0; e < req->nexclude && !drop && !picks[i].explicit_name; e++)
        drop = fnmatch(req->exclude[e], picks[i].name, 0) == 0;
      if (!drop)
        st_text_add(&t, ", t%d.\"%s\"", picks[i].group, picks[i].name);
    }
    if (req->part >= 0)
      st_text_add(&t, " FROM \"%s@%lld/part-%lld\" t0", groups[0].g->name,
                  (long long)groups[0].version, (long long)req->part);
    else
      st_text_add(&t, " FROM \"%s@%lld\" t0", groups[0].g->name, (long long)groups[0].version);
    for (int gi = 1; gi < ngroups; gi++) {
      st_text_add(&t, " LEFT JOIN \"%s@%lld\" t%d USING (", groups[gi].g->name,
                  (long long)groups[gi].version, gi);
      for (int k = 0; k < groups[0].g->nkeys; k++)
        st_text_add(&t, "%s\"%s\"", k ? ", " : "", groups[0].g->keys[k]);
      st_text_add(&t, ")");
    }
    for (int f = 0; f < req->nfilters; f++)
      st_text_add(&t, "%s(%s\n)", f ? " AND " : " WHERE ", req->filters[f]);
    /* A part alone is stored in key order and read in file order, so it needs no sort. */
    if (req->part < 0 || ngroups > 1) {
      st_text_add(&t, " ORDER BY ");
      for (int k = 0; k < groups[0].g->nkeys; k++)
        st_text_add(&t, "%s\"%s\"", k ? ", " : "", groups[0].g->keys[k]);
    }
  }
  char *sql = st == SBD_OK ? st_text_take(ctx, &t) : NULL;
  free(t.s);
  if (st == SBD_OK && !sql)
    st = SBD_ENOMEM;
  char part_name[ST_MAX_NAME + 64], *part_path = NULL;
  if (st == SBD_OK && req->part >= 0) {
    int64_t nparts;
    st = count_parts(r, groups[0].g->name, groups[0].version, &nparts);
    if (st == SBD_OK && req->part >= nparts)
      st =
          sbd_error(ctx, SBD_ENOTFOUND,
                    "group '%s' version %lld has no part %lld (parts 0 to %lld)", groups[0].g->name,
                    (long long)groups[0].version, (long long)req->part, (long long)nparts - 1);
    if (st == SBD_OK) {
      snprintf(part_name, sizeof(part_name), "%s@%lld/part-%lld", groups[0].g->name,
               (long long)groups[0].version, (long long)req->part);
      part_path = st_version_part(r, groups[0].g->name, groups[0].version, req->part);
      if (!part_path)
        st = SBD_ENOMEM;
    }
  }
  if (st == SBD_OK)
    st = st_repo_sql_with(r, sql, part_path ? part_name : NULL, part_path, out);
  free(part_path);
  free(sql);
  free(picks);
  for (int i = 0; i < ngroups; i++)
    sbd_reader_close(groups[i].probe);
  return st;
}
