package audit

import "github.com/domainauth/domainauth/spf"

// Tree orders an SPF lint's term costs (spf.Report.Terms, which the linter
// lists in post-order: the terms of an included record first, then the
// include itself) as a tree in pre-order: each include or redirect followed
// by the terms of the record it names, one Depth deeper. It runs in time and
// memory linear in len(terms). A term whose Depth does not fit a tree (the
// input was not a post-order walk) ends up as a root, never lost.
func Tree(terms []spf.TermCost) []spf.TermCost {
	if len(terms) == 0 {
		return nil
	}
	// children[i] lists i's children as a range of kids.
	type span struct{ from, to int }
	children := make([]span, len(terms))
	kids := make([]int, 0, len(terms))
	stack := make([]int, 0, 16) // finished subtrees waiting for their parent
	for i, t := range terms {
		// In post-order the children of i are the finished subtrees one
		// level deeper on top of the stack.
		j := len(stack)
		for j > 0 && terms[stack[j-1]].Depth > t.Depth {
			j--
		}
		children[i] = span{len(kids), len(kids) + len(stack) - j}
		kids = append(kids, stack[j:]...)
		stack = append(stack[:j], i)
	}
	out := make([]spf.TermCost, 0, len(terms))
	// An explicit stack of pending nodes, pushed in reverse so that they
	// come out in order.
	todo := make([]int, 0, 16)
	for k := len(stack) - 1; k >= 0; k-- {
		todo = append(todo, stack[k])
	}
	for len(todo) > 0 {
		i := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		out = append(out, terms[i])
		c := children[i]
		for k := c.to - 1; k >= c.from; k-- {
			todo = append(todo, kids[k])
		}
	}
	return out
}
