/* Storage planning (see docs/engine.md).
 *
 * Every computed tensor belongs to a storage "slot". A RESHAPE joins its input's slot
 * (same bytes, new shape), and so does a node the backend fused into its producer; a
 * node the backend runs in place joins the slot of the input it overwrites when that
 * input dies there. Each slot lives from its first definition to the last use of any
 * tensor in it; slots whose lifetimes do not overlap share bytes of one arena, placed
 * greedily by size.
 *
 * Times are the indices of the nodes that run: a fused node is computed, and reads its
 * inputs, when the node it is fused into runs. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

typedef struct slot {
    int first, last; /* run times during which the bytes must stay untouched */
    size_t bytes;
    size_t offset;
} slot;

typedef struct planner {
    vigil_engine *e;
    int *run_at;   /* per node: when it is computed (its own index, or its fuser's) */
    int *last_use; /* per node: the last time its tensor is read (n_nodes: after the run) */
    int *slot_of;  /* per node: its slot, -1 for none (consts, reshapes of consts) */
    slot *slots;
    int n_slots;
} planner;

static bool is_source(const vigil_node *node) {
    return node->op == VIGIL_OP_INPUT || node->op == VIGIL_OP_CONST;
}

static size_t graph_bytes(const vigil_node *node) {
    return (size_t)vigil_shape_numel(node->out_ndim, node->out_shape) *
           vigil_dtype_size(node->out_dtype);
}

static size_t planned_bytes(const vigil_engine *e, int node) {
    size_t bytes = e->plans[node].output_bytes;
    return bytes ? bytes : graph_bytes(&e->graph->nodes[node]);
}

static size_t align_up(size_t n) {
    return (n + ENGINE_ARENA_ALIGN - 1) / ENGINE_ARENA_ALIGN * ENGINE_ARENA_ALIGN;
}

static bool is_output(const vigil_graph *g, int node) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i].node == node)
            return true;
    return false;
}

static int use_count(const vigil_graph *g, int node) {
    int uses = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            uses += g->nodes[i].inputs[k] == node;
    return uses;
}

static vigil_status plan_error(vigil_error *err, const vigil_engine *e, int node, const char *why) {
    return vigil_error_set(
        err, VIGIL_STATUS_BACKEND, "engine: backend '%s' planned node '%s' (%s) %s",
        e->backend->ops->name ? e->backend->ops->name : "?", e->graph->nodes[node].name,
        vigil_op_type_name(e->graph->nodes[node].op), why);
}

/* Refuses plans the engine cannot honor; sets run_at for every node. */
static vigil_status check_plan(planner *pl, vigil_error *err) {
    const vigil_engine *e = pl->e;
    const vigil_graph *g = e->graph;
    for (int i = 0; i < g->n_nodes; i++) {
        const vigil_node *node = &g->nodes[i];
        const vigil_backend_node_plan *p = &e->plans[i];
        pl->run_at[i] = i;
        bool fixed = is_source(node) || node->op == VIGIL_OP_RESHAPE || is_output(g, i);
        if (fixed && p->output_bytes && p->output_bytes != graph_bytes(node))
            return plan_error(err, e, i, "with other storage, but callers read it as it is");
        if (p->fused_input < 0)
            continue;
        if (is_source(node) || node->op == VIGIL_OP_RESHAPE || p->fused_input >= node->n_inputs)
            return plan_error(err, e, i, "as fused, which it cannot be");
        int producer = node->inputs[p->fused_input];
        const vigil_node *pn = &g->nodes[producer];
        if (is_source(pn) || pn->op == VIGIL_OP_RESHAPE)
            return plan_error(err, e, i, "as fused into an input that is not computed");
        if (use_count(g, producer) != 1 || is_output(g, producer))
            return plan_error(err, e, i, "as fused into a node that others read too");
        pl->run_at[i] = pl->run_at[producer];
        for (int k = 0; k < node->n_inputs; k++) {
            int x = node->inputs[k];
            if (k != p->fused_input && !is_source(&g->nodes[x]) && pl->run_at[x] >= pl->run_at[i])
                return plan_error(err, e, i, "as fused, but it reads a tensor computed later");
        }
    }
    return VIGIL_STATUS_OK;
}

/* The tensors each computed node's node_forward receives: its inputs, then the other
 * inputs of the nodes fused into it, in graph order. */
static vigil_status list_run_inputs(planner *pl, vigil_error *err) {
    vigil_engine *e = pl->e;
    const vigil_graph *g = e->graph;
    int n = g->n_nodes, total = 0;
    for (int i = 0; i < n; i++)
        total += g->nodes[i].n_inputs;
    e->run_first = calloc(n > 0 ? (size_t)n : 1, sizeof *e->run_first);
    e->run_count = calloc(n > 0 ? (size_t)n : 1, sizeof *e->run_count);
    e->run_inputs = calloc(total > 0 ? (size_t)total : 1, sizeof *e->run_inputs);
    if (!e->run_first || !e->run_count || !e->run_inputs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory planning");
    /* Offsets first (a node's count is its inputs plus its fused consumers' others). */
    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        e->run_count[pl->run_at[i]] += node->n_inputs - (e->plans[i].fused_input >= 0);
    }
    for (int i = 0, offset = 0; i < n; i++) {
        e->run_first[i] = offset;
        offset += e->run_count[i];
        e->run_count[i] = 0;
    }
    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        int at = pl->run_at[i];
        for (int k = 0; k < node->n_inputs; k++)
            if (k != e->plans[i].fused_input)
                e->run_inputs[e->run_first[at] + e->run_count[at]++] = node->inputs[k];
    }
    return VIGIL_STATUS_OK;
}

static void find_last_uses(planner *pl) {
    const vigil_graph *g = pl->e->graph;
    int n = g->n_nodes;
    for (int i = 0; i < n; i++)
        pl->last_use[i] = pl->run_at[i];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int x = g->nodes[i].inputs[k];
            if (pl->last_use[x] < pl->run_at[i])
                pl->last_use[x] = pl->run_at[i];
        }
    for (int i = 0; i < g->n_outputs; i++)
        pl->last_use[g->outputs[i].node] = n; /* outputs survive until the next run */
}

/* The slot node i may overwrite in place, or -1. In place only if nothing after this
 * node reads the input's bytes: a slot's .last covers every tensor in it defined so far,
 * so .last == i says exactly that. .first > 0 keeps input slots out, since inputs
 * survive; a computed node's slot never starts at 0 because node 0 has no inputs. */
static int in_place_slot(const planner *pl, int i) {
    const vigil_engine *e = pl->e;
    const vigil_graph *g = e->graph;
    int index = e->plans[i].in_place_input, x;
    if (index >= 0) {
        if (index >= e->run_count[i])
            return -1;
        x = e->run_inputs[e->run_first[i] + index];
    } else if (e->backend->ops->node_in_place && g->nodes[i].n_inputs > 0 &&
               e->backend->ops->node_in_place(e->backend, g, i)) {
        index = 0;
        x = g->nodes[i].inputs[0];
    } else {
        return -1;
    }
    int candidate = pl->slot_of[x];
    if (candidate < 0 || pl->slots[candidate].last != i || pl->slots[candidate].first <= 0 ||
        pl->slots[candidate].bytes != planned_bytes(e, i))
        return -1;
    /* Another input in the same slot would be overwritten while still read. */
    for (int k = 0; k < e->run_count[i]; k++)
        if (k != index && pl->slot_of[e->run_inputs[e->run_first[i] + k]] == candidate)
            return -1;
    return candidate;
}

static void join_slot(planner *pl, int node, int s, size_t bytes) {
    pl->slot_of[node] = s;
    if (pl->slots[s].last < pl->last_use[node])
        pl->slots[s].last = pl->last_use[node];
    if (pl->slots[s].bytes < bytes)
        pl->slots[s].bytes = bytes;
}

static void assign_slots(planner *pl) {
    const vigil_engine *e = pl->e;
    const vigil_graph *g = e->graph;
    int n = g->n_nodes, end = n;
    for (int i = 0; i < n; i++)
        pl->slot_of[i] = -1;
    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        if (node->op == VIGIL_OP_CONST)
            continue;
        if (node->op == VIGIL_OP_INPUT) {
            /* The caller writes inputs before run and may run again on the same data. */
            pl->slots[pl->n_slots] = (slot){.first = 0, .last = end, .bytes = graph_bytes(node)};
            pl->slot_of[i] = pl->n_slots++;
            continue;
        }
        int fused = e->plans[i].fused_input;
        if (node->op == VIGIL_OP_RESHAPE || fused >= 0) {
            /* Same bytes as the input; a reshape of a const stays a view of the const. */
            int src = node->inputs[fused >= 0 ? fused : 0];
            if (pl->slot_of[src] >= 0)
                join_slot(pl, i, pl->slot_of[src], fused >= 0 ? planned_bytes(e, i) : 0);
            continue;
        }
        int joined = in_place_slot(pl, i);
        if (joined >= 0) {
            join_slot(pl, i, joined, 0);
            continue;
        }
        pl->slots[pl->n_slots] =
            (slot){.first = i, .last = pl->last_use[i], .bytes = planned_bytes(e, i)};
        pl->slot_of[i] = pl->n_slots++;
    }
}

/* True when slot i goes before slot j: bigger first, then in order of definition. */
static bool placed_before(const slot *slots, int i, int j) {
    if (slots[i].bytes != slots[j].bytes)
        return slots[i].bytes > slots[j].bytes;
    return i < j;
}

/* Sorts slot indices by decreasing size (insertion sort: no qsort_r portability trouble,
 * and graphs have at most a few thousand slots, sorted once). */
static void sort_by_size(int *order, int n, const slot *slots) {
    for (int i = 1; i < n; i++) {
        int key = order[i], j = i - 1;
        while (j >= 0 && placed_before(slots, key, order[j])) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = key;
    }
}

/* Greedy by size: biggest slots first, each at the lowest offset that does not collide
 * with an already placed slot alive at the same time. Returns the arena size. */
static size_t place_slots(slot *slots, int n_slots, int *order, int *placed) {
    for (int i = 0; i < n_slots; i++)
        order[i] = i;
    sort_by_size(order, n_slots, slots);
    size_t total = 0;
    int n_placed = 0;
    for (int k = 0; k < n_slots; k++) {
        slot *s = &slots[order[k]];
        size_t offset = 0;
        /* Slide past every overlapping neighbor in offset order until a gap fits. */
        bool moved = true;
        while (moved) {
            moved = false;
            for (int p = 0; p < n_placed; p++) {
                const slot *o = &slots[placed[p]];
                bool alive_together = s->first <= o->last && o->first <= s->last;
                bool bytes_overlap = offset < o->offset + o->bytes && o->offset < offset + s->bytes;
                if (alive_together && bytes_overlap) {
                    offset = align_up(o->offset + o->bytes);
                    moved = true;
                }
            }
        }
        s->offset = offset;
        placed[n_placed++] = order[k];
        if (offset + s->bytes > total)
            total = offset + s->bytes;
    }
    return total;
}

static vigil_status place_and_view(planner *pl, vigil_error *err) {
    vigil_engine *e = pl->e;
    const vigil_graph *g = e->graph;
    int n = g->n_nodes;
    int *order = malloc((n > 0 ? (size_t)n : 1) * sizeof *order);
    int *placed = malloc((n > 0 ? (size_t)n : 1) * sizeof *placed);
    if (!order || !placed) {
        free(order);
        free(placed);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory planning");
    }
    for (int s = 0; s < pl->n_slots; s++)
        pl->slots[s].bytes = align_up(pl->slots[s].bytes);
    e->arena_bytes = place_slots(pl->slots, pl->n_slots, order, placed);
    free(order);
    free(placed);
    e->arena =
        aligned_alloc(ENGINE_ARENA_ALIGN, e->arena_bytes ? e->arena_bytes : ENGINE_ARENA_ALIGN);
    if (!e->arena)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                               "engine: cannot allocate an arena of %zu bytes", e->arena_bytes);
    /* Zeroed so that a run on inputs never written reads zeros, not garbage. */
    memset(e->arena, 0, e->arena_bytes);

    for (int i = 0; i < n; i++) {
        const vigil_node *node = &g->nodes[i];
        void *data;
        if (node->op == VIGIL_OP_CONST)
            data = node->value.data;
        else if (pl->slot_of[i] >= 0)
            data = e->arena + pl->slots[pl->slot_of[i]].offset;
        else /* a reshape of a const */
            data = e->values[node->inputs[0]].data;
        vigil_tensor_view(&e->values[i], node->out_dtype, node->out_ndim, node->out_shape, data);
        e->computed[i] =
            !is_source(node) && node->op != VIGIL_OP_RESHAPE && e->plans[i].fused_input < 0;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_engine_plan(vigil_engine *e, vigil_error *err) {
    int n = e->graph->n_nodes;
    size_t count = n > 0 ? (size_t)n : 1;
    planner pl = {.e = e};
    pl.run_at = malloc(count * sizeof *pl.run_at);
    pl.last_use = malloc(count * sizeof *pl.last_use);
    pl.slot_of = malloc(count * sizeof *pl.slot_of);
    pl.slots = malloc(count * sizeof *pl.slots);
    vigil_status status = VIGIL_STATUS_OK;
    if (!pl.run_at || !pl.last_use || !pl.slot_of || !pl.slots)
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory planning");
    if (status == VIGIL_STATUS_OK)
        status = check_plan(&pl, err);
    if (status == VIGIL_STATUS_OK)
        status = list_run_inputs(&pl, err);
    if (status == VIGIL_STATUS_OK) {
        find_last_uses(&pl);
        assign_slots(&pl);
        status = place_and_view(&pl, err);
    }
    free(pl.run_at);
    free(pl.last_use);
    free(pl.slot_of);
    free(pl.slots);
    return status;
}
