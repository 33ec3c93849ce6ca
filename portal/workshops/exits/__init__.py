"""Workshop exits (摘牌退出): proposal, public notice, the county's decision."""
