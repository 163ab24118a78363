DROP TABLE article_tombstones;
DROP TABLE delivery_contributors;
DROP TABLE delivery_topics;
DROP TABLE article_deliveries;
